package io.shakengate.proxy.metrics;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /metrics of a running appliance (after a signed call) passes Prometheus's own linter,
 * {@code promtool check metrics} (Debian's prometheus package); every family has HELP and TYPE, the latency
 * is a histogram whose buckets only grow, and the build, process and JVM families are there.
 */
class PromtoolTest {
    @TempDir
    Path dir;

    @Test
    void metricsPassPromtool() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Path key = Files.writeString(dir.resolve("k.pem"), ee.privateKeyPem());
        Path chain = Files.writeString(dir.resolve("c.pem"), ee.certPem() + pki.intermediate.certPem());
        int metrics = Sipp.freeUdpPort();
        int sign = Sipp.freeUdpPort();
        try (DatagramSocket callee = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                    "metrics: { listen: \"127.0.0.1:" + metrics + "\" }",
                    "signing: { key: " + key + ", chain: " + chain + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                    "listeningPoints:",
                    "  - { name: out, listen: \"127.0.0.1:" + sign + "\", role: sign, nextHop: \"127.0.0.1:"
                            + callee.getLocalPort() + "\" }",
                    ""));
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-prom\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=p\r\n"
                        + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: promtool\r\n"
                        + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
                byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
                caller.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", sign)));
                callee.setSoTimeout(5000);
                callee.receive(new DatagramPacket(new byte[65535], 65535));
                String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + metrics + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();

                Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
                p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "promtool check metrics: " + said);

                Set<String> help = new HashSet<>();
                Set<String> families = new HashSet<>();
                for (String l : text.split("\n")) {
                    if (l.startsWith("# HELP ")) {
                        help.add(l.split(" ")[2]);
                    } else if (l.startsWith("# TYPE ")) {
                        families.add(l.split(" ")[2]);
                    }
                }
                assertEquals(families, help, "HELP for every family");
                for (String f : new String[] {"shakengate_build_info", "process_open_fds", "jvm_memory_used_bytes",
                    "shakengate_stage_latency_seconds", "shakengate_certificate_expiry_seconds",
                    "shakengate_signed_total"}) {
                    assertTrue(families.contains(f), f + " in " + families);
                }
                assertTrue(text.contains("shakengate_stage_latency_seconds_count{stage=\"sign\"} 1\n"), text);
                assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.SIGNED));
                assertTrue(text.contains("shakengate_stage_latency_seconds_bucket{stage=\"sign\",le=\"+Inf\"} 1\n"),
                        text);
                long last = -1;
                for (String l : text.split("\n")) {
                    if (l.startsWith("shakengate_stage_latency_seconds_bucket{stage=\"sign\"")) {
                        long n = Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
                        assertTrue(n >= last, "buckets only grow: " + l);
                        last = n;
                    }
                }
            }
        }
    }
}
