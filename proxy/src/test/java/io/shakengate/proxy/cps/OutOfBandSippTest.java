package io.shakengate.proxy.cps;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.AuthenticationPolicy;
import io.shakengate.proxy.ListeningPoint;
import io.shakengate.proxy.ProxyCounters;
import io.shakengate.proxy.ProxyServer;
import io.shakengate.proxy.Role;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.VerificationPolicy;
import io.shakengate.proxy.http.HttpApiServer;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out-of-band SHAKEN end to end on loopback: SIPp UAC -> appliance A (signs, delivery "both": Identity header
 * and a publish to the CPS) -> a "TDM hop" that strips the Identity header -> appliance B (no Identity: it
 * retrieves from the CPS and verifies) -> SIPp UAS, which fails any call without
 * verstat=TN-Validation-Passed. Then with the CPS down, and with a CPS that answers only after 5 s: every call
 * still completes, with the fallback verstat=No-TN-Validation.
 */
class OutOfBandSippTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String AUDIENCE = "cps.shakengate.test";

    @TempDir
    Path dir;

    /** Forwards datagrams to {@code to}, without their Identity header lines, as a TDM segment loses them. */
    static final class TdmHop implements AutoCloseable {
        final DatagramSocket socket;
        final Thread thread;
        volatile int stripped;

        TdmHop(InetSocketAddress to) throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[65535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                        List<String> kept = new ArrayList<>();
                        for (String line : msg.split("\r\n", -1)) {
                            if (line.regionMatches(true, 0, "Identity:", 0, 9)) {
                                stripped++;
                            } else {
                                kept.add(line);
                            }
                        }
                        byte[] out = String.join("\r\n", kept).getBytes(StandardCharsets.ISO_8859_1);
                        socket.send(new DatagramPacket(out, out.length, to));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "tdm-hop");
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A CPS as reached through {@code target} (our CPS server, a closed port, or a slow socket). */
    private record Outcome(int uacExit, int uasExit, String detail, ProxyCounters counters, int stripped) {
    }

    /**
     * The fallback runs use a 300 ms budget: below SIP's 500 ms retransmission timer, so the UAC does not
     * retransmit while B waits for the CPS (a stateless proxy would forward each retransmission, which the
     * SIPp UAS scenario does not expect once it answered).
     */
    private Outcome run(URI target, String uasScenario, int calls) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        return run(pki, pki.endEntity(TestPki.Flaw.NONE), target, uasScenario, calls, 300);
    }

    private Outcome run(TestPki pki, TestPki.Issued ee, URI target, String uasScenario, int calls, long budget)
            throws Exception {
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        InetAddress lo = InetAddress.getLoopbackAddress();
        ExecutorService http = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cps-client");
            t.setDaemon(true);
            return t;
        });
        CpsClient client = new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(target, AUDIENCE)),
                TestPki.SPC, 15, 1000), http, () -> System.currentTimeMillis() / 1000);
        ServiceConfig a = new ServiceConfig(signer, Attestation.A, null, 1500, VerificationPolicy.defaults(),
                new AuthenticationPolicy(List.of(), AuthenticationPolicy.Action.ATTEST_A,
                        AuthenticationPolicy.Delivery.BOTH), new ServiceConfig.OutOfBand(client, ServiceConfig.Retrieval.OFF));
        ServiceConfig b = new ServiceConfig(signer, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U), budget,
                VerificationPolicy.defaults(), AuthenticationPolicy.always(Attestation.A),
                new ServiceConfig.OutOfBand(client, ServiceConfig.Retrieval.WHEN_NO_IDENTITY));
        int uasPort = Sipp.freeUdpPort();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress verify = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uasPort)), () -> b);
            try (TdmHop tdm = new TdmHop(verify)) {
                InetSocketAddress sign = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                        Role.SIGN, tdm.address()), () -> a);
                if (budget < 500) {
                    // one call before SIPp starts, so that the first SIPp call does not pay for the JIT's cold
                    // start on top of a budget this short (SIPp's UAS nobody listens yet: B's forward is dropped)
                    try (DatagramSocket warm = new DatagramSocket(0, lo)) {
                        io.shakengate.proxy.LoopbackSip.send(warm, sign, io.shakengate.proxy.LoopbackSip.invite(
                                warm.getLocalPort(), "warm-up", "+12155550100", "+12155550131", null));
                        Thread.sleep(budget + 300);
                    }
                }
                Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, uasScenario), "-i",
                        "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls));
                Thread.sleep(300);
                Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                        "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + sign.getPort(), "-m",
                        Integer.toString(calls), "-r", "10");
                int uacExit = Sipp.waitFor(uac, 90);
                int uasExit = Sipp.waitFor(uas, 30);
                Thread.sleep(200); // let the last publishes be counted
                String detail = server.counters() + " cps client " + java.util.Arrays.toString(client.counts())
                        + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log")) + "\nUAS:\n" + Sipp.tail(dir.resolve("uas.log"));
                return new Outcome(uacExit, uasExit, detail, server.counters(), tdm.stripped);
            }
        } finally {
            http.shutdownNow();
        }
    }

    @Test
    void signedPublishedStrippedRetrievedVerified() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Transports transports = Transports.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        // SIPp calls the same numbers every time: 16 PASSporTs per (dest, orig) within the retention
        MemoryCpsStore store = new MemoryCpsStore(16, 1000, System::currentTimeMillis);
        // the CPS checks the requesters' tokens against the test root (the signer's chain is in its cache)
        CpsServer cps = new CpsServer(new CpsTokens.Verifier(AUDIENCE, 60, 60, PassportVerifier.Config.DEFAULT,
                TestServices.preloadedCache(pki, ee, X5U), new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(),
                null)), null), () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected()), store,
                new CpsServer.Limits(16, 15, 60), () -> System.currentTimeMillis() / 1000);
        HttpApiServer api = new HttpApiServer(group, transports, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0), null, new HttpApiServer.Limits(List::of, 16384, 30), () -> null, cps);
        try {
            Outcome o = run(pki, ee, URI.create("http://127.0.0.1:" + api.address().getPort()),
                    "uas-verstat-passed.xml", 10, 1500);
            StringBuilder refused = new StringBuilder();
            for (CpsTokens.Refusal r : CpsTokens.Refusal.values()) {
                if (cps.refusals(r) > 0) {
                    refused.append(' ').append(r).append('=').append(cps.refusals(r));
                }
            }
            assertEquals(0, o.uacExit(), "every call completes: " + o.detail() + "\nCPS refusals:" + refused);
            assertEquals(0, o.uasExit(), "the UAS saw verstat=TN-Validation-Passed on every INVITE: " + o.detail()
                    + "\nCPS refusals:" + refused);
            assertEquals(10, o.stripped(), "the TDM hop stripped every Identity header");
            assertEquals(10, o.counters().get(ProxyCounters.Event.SIGNED), o.detail());
            assertEquals(10, o.counters().get(ProxyCounters.Event.OOB_PUBLISHED), o.detail() + "\nCPS refusals:" + refused);
            assertEquals(10, o.counters().get(ProxyCounters.Event.OOB_RETRIEVED), o.detail());
            assertEquals(10, o.counters().get(ProxyCounters.Event.VERIFIED_PASSED), o.detail());
            assertEquals(10, cps.totals()[0], "PASSporTs published to the CPS");
            assertTrue(cps.totals()[1] >= 10, "PASSporTs retrieved from the CPS: " + cps.totals()[1]);
        } finally {
            api.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void cpsDownEveryCallCompletesWithTheFallback() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Outcome o = run(URI.create("http://127.0.0.1:" + closed), "uas-verstat-none.xml", 5);
        assertEquals(0, o.uacExit(), "every call completes: " + o.detail());
        assertEquals(0, o.uasExit(), "verstat=No-TN-Validation on every INVITE: " + o.detail());
        assertEquals(0, o.counters().get(ProxyCounters.Event.VERIFIED_PASSED), o.detail());
    }

    @Test
    void cpsAnsweringAfterFiveSecondsEveryCallCompletesWithTheFallback() throws Exception {
        try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!slow.isClosed()) {
                    try {
                        Socket s = slow.accept();
                        held.add(s);
                        Thread t = new Thread(() -> {
                            try {
                                Thread.sleep(5000);
                                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                        + "Content-Length: 16\r\n\r\n{\"passports\":[]}").getBytes(StandardCharsets.US_ASCII));
                                s.close();
                            } catch (Exception e) {
                                // the client gave up first
                            }
                        });
                        t.setDaemon(true);
                        t.start();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "slow-cps");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            Outcome o = run(URI.create("http://127.0.0.1:" + slow.getLocalPort()), "uas-verstat-none.xml", 5);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals(0, o.uacExit(), "every call completes: " + o.detail());
            assertEquals(0, o.uasExit(), "verstat=No-TN-Validation on every INVITE: " + o.detail());
            assertTrue(seconds < 30, "the calls did not wait for the CPS: " + seconds + " s");
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
