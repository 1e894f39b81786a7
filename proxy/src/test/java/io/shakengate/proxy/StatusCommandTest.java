package io.shakengate.proxy;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.config.ApplianceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shakengate status} against a running appliance: its points and next hops (a refusing address shown
 * held down), the counters that moved, the x5u cache, the CPS targets and the last decisions with a signed
 * call's Call-ID; GET /status without the token is 401; without an api section or with nothing listening, a
 * clear message.
 */
class StatusCommandTest {
    @TempDir
    Path dir;

    @Test
    void statusShowsPointsCountersAndTheLastDecisions() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Path key = Files.writeString(dir.resolve("k.pem"), ee.privateKeyPem());
        Path chain = Files.writeString(dir.resolve("c.pem"), ee.certPem() + pki.intermediate.certPem());
        Path anchors = Files.writeString(dir.resolve("anchors.pem"), pki.root.certPem());
        Path tokens = Files.writeString(dir.resolve("tokens"), "# operators\nstatus-token-0123456789abcdef\n");
        int api = Sipp.freeTcpPort();
        int sign = Sipp.freeUdpPort();
        int closed = Sipp.freeTcpPort();
        int pairPort = Sipp.freeUdpPort();
        try (DatagramSocket callee = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                    "signing: { key: " + key + ", chain: " + chain + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                    "verification: { trustAnchors: " + anchors + " }",
                    "cps: { targets: [ { url: \"http://127.0.0.1:9\", audience: cps.example.net } ], spc: \"1234\" }",
                    "api: { listen: \"127.0.0.1:" + api + "\", bearerTokens: " + tokens + " }",
                    "listeningPoints:",
                    "  - { name: out, listen: \"127.0.0.1:" + sign + "\", role: sign, nextHop: \"127.0.0.1:"
                            + callee.getLocalPort() + "\" }",
                    "  - { name: pair, listen: \"127.0.0.1:" + pairPort + "\", role: forward, nextHopTransport:"
                            + " tcp, nextHop: [\"127.0.0.1:" + closed + "\", \"127.0.0.1:" + callee.getLocalPort() + "\"] }",
                    ""));
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-status\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=s\r\n"
                        + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: status-call-1\r\n"
                        + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
                byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
                caller.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", sign)));
                callee.setSoTimeout(5000);
                callee.receive(new DatagramPacket(new byte[65535], 65535));

                // through the pair: both addresses refuse TCP (nothing listens), both held down, a 503
                byte[] viaPair = invite.replace("status-call-1", "status-call-2").replace("z9hG4bK-status",
                        "z9hG4bK-status2").getBytes(StandardCharsets.US_ASCII);
                caller.setSoTimeout(5000);
                caller.send(new DatagramPacket(viaPair, viaPair.length, new InetSocketAddress("127.0.0.1", pairPort)));
                byte[] answer = new byte[65535];
                DatagramPacket got = new DatagramPacket(answer, answer.length);
                caller.receive(got);
                assertTrue(new String(answer, 0, got.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 503"));
                assertEquals(1, appliance.server().counters().get(
                        io.shakengate.proxy.metrics.ProxyCounters.Event.SIGNED));
                HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + api + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, anonymous.statusCode(), anonymous.body());

                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int exit = ProxyMain.run(new String[] {"status", "--config", file.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
                String said = out.toString(StandardCharsets.UTF_8);
                assertEquals(ProxyMain.EXIT_OK, exit, said + err.toString(StandardCharsets.UTF_8));
                assertTrue(said.contains("  out: udp 127.0.0.1:" + sign + ", sign -> 127.0.0.1:" + callee.getLocalPort()),
                        said);
                assertTrue(said.contains("  pair: udp 127.0.0.1:" + pairPort + ", forward -> 127.0.0.1:" + closed
                        + " (held down) (refused 1) 127.0.0.1:" + callee.getLocalPort() + " (held down) (refused 1)"), said);
                assertTrue(said.contains("  next_hop_failed_over 1\n") && said.contains("  next_hop_unreachable 1\n"),
                        said);
                System.out.println(said);
                assertTrue(said.contains("  signed 1\n"), said);
                assertTrue(said.contains("x5u cache: 0 of at most "), said);
                assertTrue(said.contains("cps: targets [http://127.0.0.1:9]"), said);
                assertTrue(said.contains("signing out call status-call-1 12155550121 -> [12155550131]: signed,"
                        + " attestation A, identity default"), said);
            }
            // the appliance is gone: nothing answers
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(ProxyMain.EXIT_FAILED, ProxyMain.run(new String[] {"status", "--config", file.toString()},
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("nothing answers at 127.0.0.1:" + api), err.toString());
        }
        Path noApi = Files.writeString(dir.resolve("no-api.yaml"), "listeningPoints:\n  - { name: a, listen: \"127.0.0.1:5070\","
                + " nextHop: \"127.0.0.1:5080\" }\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ProxyMain.EXIT_CONFIG, ProxyMain.run(new String[] {"status", "--config", noApi.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("has no api section"), err.toString());
    }

    @Test
    void statusSpeaksTlsToAnApiWithTls() throws Exception {
        io.shakengate.crypto.x509.DemoPki.Written files = new io.shakengate.crypto.x509.DemoPki("1234").write(dir);
        Path cert = files.tlsCertificate();
        Path key = files.tlsKey();
        Path tokens = Files.writeString(dir.resolve("tokens"), "status-token-0123456789abcdef\n");
        int api = Sipp.freeTcpPort();
        Path file = Files.writeString(dir.resolve("tls.yaml"), String.join("\n",
                "api: { listen: \"127.0.0.1:" + api + "\", tls: { certificate: " + cert + ", key: " + key + " },"
                        + " bearerTokens: " + tokens + " }",
                "listeningPoints:",
                "  - { name: plain, listen: \"127.0.0.1:" + Sipp.freeUdpPort() + "\", nextHop: \"127.0.0.1:9\" }",
                ""));
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = ProxyMain.run(new String[] {"status", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String said = out.toString(StandardCharsets.UTF_8);
            assertEquals(ProxyMain.EXIT_OK, exit, said + err.toString(StandardCharsets.UTF_8));
            assertTrue(said.contains("  plain: udp 127.0.0.1:") && said.contains("forward -> 127.0.0.1:9"), said);
            assertTrue(appliance.server().gates().isEmpty());
        }
    }

    @Test
    void statusPresentsAClientCertificateToAnApiWithMutualTls() throws Exception {
        io.shakengate.crypto.x509.DemoPki pki = new io.shakengate.crypto.x509.DemoPki("1234");
        io.shakengate.crypto.x509.DemoPki.Written server = pki.write(dir);
        Path cert = server.tlsCertificate();
        Path key = server.tlsKey();
        Path clientCa = server.root();
        // a client certificate of the same root: another TLS certificate of it, written in a directory of its own
        io.shakengate.crypto.x509.DemoPki.Written client = pki.write(Files.createDirectory(dir.resolve("client")));
        Path clientCert = client.tlsCertificate();
        Path clientKey = client.tlsKey();
        int api = Sipp.freeTcpPort();
        Path file = Files.writeString(dir.resolve("mtls.yaml"), String.join("\n",
                "api: { listen: \"127.0.0.1:" + api + "\", tls: { certificate: " + cert + ", key: " + key
                        + ", clientCa: " + clientCa + " } }",
                "listeningPoints:",
                "  - { name: plain, listen: \"127.0.0.1:" + Sipp.freeUdpPort() + "\", nextHop: \"127.0.0.1:9\" }",
                ""));
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // without a client certificate: told what to give, nothing asked
            assertEquals(ProxyMain.EXIT_USAGE, ProxyMain.run(new String[] {"status", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("--cert FILE --key FILE"), err.toString());
            // a certificate the API's clientCa did not issue: the handshake fails, said
            io.shakengate.crypto.x509.DemoPki.Written stranger = new io.shakengate.crypto.x509.DemoPki("9999")
                    .write(Files.createDirectory(dir.resolve("stranger")));
            Path otherCert = stranger.tlsCertificate();
            Path otherKey = stranger.tlsKey();
            err.reset();
            int refused = ProxyMain.run(new String[] {"status", "--config", file.toString(), "--cert",
                    otherCert.toString(), "--key", otherKey.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(ProxyMain.EXIT_FAILED, refused, err.toString(StandardCharsets.UTF_8));
            System.out.println("refused client certificate: " + err.toString(StandardCharsets.UTF_8).trim());
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("status: "), err.toString());
            // the client certificate the API trusts
            out.reset();
            err.reset();
            int exit = ProxyMain.run(new String[] {"status", "--config", file.toString(), "--cert",
                    clientCert.toString(), "--key", clientKey.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String said = out.toString(StandardCharsets.UTF_8);
            assertEquals(ProxyMain.EXIT_OK, exit, said + err.toString(StandardCharsets.UTF_8));
            assertTrue(said.contains("  plain: udp 127.0.0.1:"), said);
            assertTrue(appliance.server().gates().isEmpty());
        }
    }
}
