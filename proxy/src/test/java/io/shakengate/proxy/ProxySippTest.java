package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.metrics.MetricsServer;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIPp UAC -> appliance A (signs) -> appliance B (verifies) -> SIPp UAS over UDP on loopback: every call
 * completes, and the UAS fails any call whose INVITE lacks a SHAKEN Identity header or
 * verstat=TN-Validation-Passed on P-Asserted-Identity. SIPp (Debian sip-tester) is installed by .ci/run.
 */
class ProxySippTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final int CALLS = 20;

    @TempDir
    Path dir;

    @Test
    void shouldSignAndVerifyEveryCallOverUdp() throws Exception {
        run(false);
    }

    @Test
    void shouldSignAndVerifyEveryCallOverTcp() throws Exception {
        run(true);
    }

    /** What a SIGHUP does (one atomic swap of the services), every 10 ms while SIPp places calls: none is lost. */
    @Test
    void everyCallCompletesWhileTheServicesAreSwappedUnderLoad() throws Exception {
        run(false, 100, 50, true);
    }

    private void run(boolean tcp) throws Exception {
        run(tcp, CALLS, 10, false);
    }

    private void run(boolean tcp, int calls, int rate, boolean swap) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()),
                X5U);
        PassportVerifier verifier = TestServices.preloadedVerifier(pki, ee, X5U);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, verifier,
                ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        // a second, equivalent configuration built from the same key and chain: a reload's result
        ServiceConfig reloaded = new ServiceConfig(new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                ee.keys().getPrivate()), X5U), Attestation.B, TestServices.preloadedVerifier(pki, ee, X5U),
                ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        java.util.concurrent.atomic.AtomicReference<ServiceConfig> current =
                new java.util.concurrent.atomic.AtomicReference<>(services);
        java.util.concurrent.atomic.AtomicInteger swaps = new java.util.concurrent.atomic.AtomicInteger();

        int uasPort = tcp ? freeTcpPort() : freeUdpPort();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            ListeningPoint verify = new ListeningPoint("verify", new InetSocketAddress(lo, 0), null, Role.VERIFY,
                    new InetSocketAddress(lo, uasPort));
            InetSocketAddress b = tcp ? server.bindTcp(verify, current::get) : server.bind(verify, current::get);
            ListeningPoint sign = new ListeningPoint("sign", new InetSocketAddress(lo, 0), null, Role.SIGN, b);
            InetSocketAddress a = tcp ? server.bindTcp(sign, current::get) : server.bind(sign, current::get);
            String transport = tcp ? "t1" : "u1";

            Process uas = sipp(dir.resolve("uas.log"), "-sf", scenario("uas-shaken.xml"), "-i", "127.0.0.1", "-p",
                    Integer.toString(uasPort), "-m", Integer.toString(calls), "-t", transport);
            Thread.sleep(300);
            Process uac = sipp(dir.resolve("uac.log"), "-sf", scenario("uac-shaken.xml"), "-i", "127.0.0.1", "-p",
                    Integer.toString(tcp ? freeTcpPort() : freeUdpPort()), "127.0.0.1:" + a.getPort(), "-m",
                    Integer.toString(calls), "-r", Integer.toString(rate), "-t", transport);
            Thread swapper = new Thread(() -> {
                while (swap && uac.isAlive()) {
                    current.set(current.get() == services ? reloaded : services);
                    swaps.incrementAndGet();
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "swapper");
            swapper.start();
            int uacExit = waitFor(uac, 60);
            swapper.join(5000);
            int uasExit = waitFor(uas, 30);
            String detail = server.counters() + "\nUAC:\n" + tail(dir.resolve("uac.log")) + "\nUAS:\n"
                    + tail(dir.resolve("uas.log"));
            assertEquals(0, uacExit, "every call completes: " + detail);
            assertEquals(0, uasExit, "the UAS saw Identity and verstat=TN-Validation-Passed on every INVITE: " + detail);
            assertEquals(calls, server.counters().get(ProxyCounters.Event.SIGNED), detail);
            assertEquals(calls, server.counters().get(ProxyCounters.Event.VERIFIED_PASSED), detail);
            assertTrue(server.counters().get(ProxyCounters.Event.RESPONSE_FORWARDED) >= 4L * calls, detail);
            if (swap) {
                assertTrue(swaps.get() >= 100, "swapped " + swaps.get() + " times during the calls");
                return;
            }

            try (MetricsServer metrics = new MetricsServer(server.transports(), new InetSocketAddress(lo, 0),
                    server.counters(), server.parseErrors(), server.latency())) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + metrics.address().getPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                String text = r.body();
                assertTrue(text.contains("\nshakengate_signed_total " + CALLS + "\n"), text);
                assertTrue(text.contains("\nshakengate_verified_passed_total " + CALLS + "\n"), text);
                assertTrue(text.contains("\nshakengate_stage_latency_seconds_count{stage=\"sign\"} " + CALLS + "\n"),
                        text);
                assertTrue(text.contains("shakengate_stage_latency_seconds_bucket{stage=\"verify\",le=\"0.005\"}"), text);
                assertTrue(text.contains("shakengate_sip_parse_errors_total{reason=\"garbage\"} 0"), text);
                System.out.println(text.lines().filter(l -> l.startsWith("shakengate_stage_latency"))
                        .collect(java.util.stream.Collectors.joining("\n")));
            }
        }
    }

    private String scenario(String name) throws IOException {
        return Sipp.scenario(dir, name);
    }

    private static Process sipp(Path log, String... args) throws IOException {
        return Sipp.start(log, args);
    }

    private static int waitFor(Process p, int seconds) throws InterruptedException {
        return Sipp.waitFor(p, seconds);
    }

    private static String tail(Path log) {
        return Sipp.tail(log);
    }

    private static int freeTcpPort() throws IOException {
        return Sipp.freeTcpPort();
    }

    private static int freeUdpPort() throws IOException {
        return Sipp.freeUdpPort();
    }
}
