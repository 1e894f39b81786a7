package io.shakengate.proxy.cps;

import io.shakengate.proxy.stir.Retrieval;

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
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.ListeningPoint;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.ProxyServer;
import io.shakengate.proxy.Role;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.stir.VerificationPolicy;
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
    private record Outcome(int uacExit, int uasExit, String detail, java.util.Map<ProxyCounters.Event, Long> counts,
                           int stripped) {
        /** The count of {@code e} during the SIPp run (the warm-up call excluded). */
        long count(ProxyCounters.Event e) {
            return counts.get(e);
        }
    }

    /**
     * The fallback runs use a 300 ms budget: below SIP's 500 ms retransmission timer, so the UAC does not
     * retransmit while B waits for the CPS (a stateless proxy would forward each retransmission, which the
     * SIPp UAS scenario does not expect once it answered).
     */
    private Outcome run(URI target, String uasScenario, int calls) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        return run(pki, pki.endEntity(TestPki.Flaw.NONE), target, target, uasScenario, calls, 300);
    }

    /** A publishes to {@code publishTo}, B retrieves from {@code retrieveFrom}. */
    private Outcome run(TestPki pki, TestPki.Issued ee, URI publishTo, URI retrieveFrom, String uasScenario, int calls,
                        long budget) throws Exception {
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        InetAddress lo = InetAddress.getLoopbackAddress();
        ExecutorService http = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cps-client");
            t.setDaemon(true);
            return t;
        });
        CpsClient publisher = new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(publishTo, AUDIENCE)),
                TestPki.SPC, 15, 1000), http, () -> System.currentTimeMillis() / 1000);
        CpsClient retriever = new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(retrieveFrom,
                AUDIENCE)), TestPki.SPC, 15, 1000), http, () -> System.currentTimeMillis() / 1000);
        ServiceConfig a = new ServiceConfig(signer, Attestation.A, null, 1500, VerificationPolicy.defaults(),
                new AuthenticationPolicy(List.of(), AuthenticationPolicy.Action.ATTEST_A,
                        AuthenticationPolicy.Delivery.BOTH), new ServiceConfig.OutOfBand(publisher, Retrieval.OFF));
        ServiceConfig b = new ServiceConfig(signer, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U), budget,
                VerificationPolicy.defaults(), AuthenticationPolicy.always(Attestation.A),
                new ServiceConfig.OutOfBand(retriever, Retrieval.WHEN_NO_IDENTITY));
        int uasPort = Sipp.freeUdpPort();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress verify = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uasPort)), () -> b);
            try (TdmHop tdm = new TdmHop(verify)) {
                InetSocketAddress sign = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                        Role.SIGN, tdm.address()), () -> a);
                // One call before SIPp starts, so that the first SIPp call does not pay for cold starts (JIT, the
                // CPS client's first connections, Redis's script cache): when B holds an INVITE past SIP's 500 ms
                // retransmission timer, the retransmission is absorbed while B still waits, but one that comes
                // just after B forwarded the original is forwarded too (a stateless proxy), which the SIPp UAS
                // scenario does not expect once it has answered. Nobody listens on the UAS port yet, so B's
                // forward of the warm-up call is dropped; its counts are left out of the outcome.
                try (DatagramSocket warm = new DatagramSocket(0, lo)) {
                    io.shakengate.proxy.LoopbackSip.send(warm, sign, io.shakengate.proxy.LoopbackSip.invite(
                            warm.getLocalPort(), "warm-up", "12155550100", "12155550131", null));
                    Thread.sleep(budget + 300);
                }
                java.util.Map<ProxyCounters.Event, Long> base = new java.util.EnumMap<>(ProxyCounters.Event.class);
                for (ProxyCounters.Event e : ProxyCounters.Event.values()) {
                    base.put(e, server.counters().get(e));
                }
                int strippedBefore = tdm.stripped;
                Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, uasScenario), "-i",
                        "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls));
                Thread.sleep(300);
                Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                        "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + sign.getPort(), "-m",
                        Integer.toString(calls), "-r", "10");
                int uacExit = Sipp.waitFor(uac, 90);
                int uasExit = Sipp.waitFor(uas, 30);
                Thread.sleep(200); // let the last publishes be counted
                String detail = server.counters() + " publisher " + java.util.Arrays.toString(publisher.counts())
                        + " retriever " + java.util.Arrays.toString(retriever.counts())
                        + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log")) + "\nUAS:\n" + Sipp.tail(dir.resolve("uas.log"));
                java.util.Map<ProxyCounters.Event, Long> counts = new java.util.EnumMap<>(ProxyCounters.Event.class);
                for (ProxyCounters.Event e : ProxyCounters.Event.values()) {
                    counts.put(e, server.counters().get(e) - base.get(e));
                }
                return new Outcome(uacExit, uasExit, detail, counts, tdm.stripped - strippedBefore);
            }
        } finally {
            http.shutdownNow();
        }
    }

    @Test
    void signedPublishedStrippedRetrievedVerifiedWithTheEmbeddedStore() throws Exception {
        endToEnd(null);
    }

    /** Two CPS nodes sharing one real redis-server: A publishes to node 1, B retrieves from node 2. */
    @Test
    void signedPublishedStrippedRetrievedVerifiedWithRedisSharedByTwoCpsNodes() throws Exception {
        try (RedisServer redis = new RedisServer(dir)) {
            endToEnd(redis);
        }
    }

    private CpsServer cps(TestPki pki, TestPki.Issued ee, CpsStore store) {
        // the CPS checks the requesters' tokens against the test root (the signer's chain is in its cache)
        return new CpsServer(new CpsTokens.Verifier(AUDIENCE, 60, 60, PassportVerifier.Config.DEFAULT,
                TestServices.preloadedCache(pki, ee, X5U), new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(),
                null)), null), () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected()), store,
                new CpsServer.Limits(16, 15, 60), () -> System.currentTimeMillis() / 1000);
    }

    private void endToEnd(RedisServer redis) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Transports transports = Transports.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        // SIPp calls the same numbers every time: 16 PASSporTs per (dest, orig) within the retention
        CpsStore store1 = redis == null ? new MemoryCpsStore(16, 1000, System::currentTimeMillis)
                : new RedisCpsStore(group, transports, redis.address, 16, "cps:", System::currentTimeMillis);
        CpsStore store2 = redis == null ? store1
                : new RedisCpsStore(group, transports, redis.address, 16, "cps:", System::currentTimeMillis);
        CpsServer node1 = cps(pki, ee, store1);
        CpsServer node2 = redis == null ? node1 : cps(pki, ee, store2);
        HttpApiServer api1 = new HttpApiServer(group, transports, any, null, new HttpApiServer.Limits(List::of, 16384,
                30), () -> null, node1, new io.shakengate.proxy.metrics.ProxyCounters());
        HttpApiServer api2 = redis == null ? api1 : new HttpApiServer(group, transports, any, null,
                new HttpApiServer.Limits(List::of, 16384, 30), () -> null, node2, new io.shakengate.proxy.metrics.ProxyCounters());
        try {
            Outcome o = run(pki, ee, URI.create("http://127.0.0.1:" + api1.address().getPort()),
                    URI.create("http://127.0.0.1:" + api2.address().getPort()), "uas-verstat-passed.xml", 10, 1500);
            StringBuilder refused = new StringBuilder();
            for (CpsTokens.Refusal r : CpsTokens.Refusal.values()) {
                if (node1.refusals(r) + node2.refusals(r) > 0) {
                    refused.append(' ').append(r).append('=').append(node1.refusals(r) + node2.refusals(r));
                }
            }
            String detail = o.detail() + "\nCPS refusals:" + refused + ", store failures " + node1.totals()[2] + "/"
                    + node2.totals()[2];
            assertEquals(0, o.uacExit(), "every call completes: " + detail);
            assertEquals(0, o.uasExit(), "the UAS saw verstat=TN-Validation-Passed on every INVITE: " + detail);
            assertEquals(10, o.stripped(), "the TDM hop stripped every Identity header");
            assertEquals(10, o.count(ProxyCounters.Event.SIGNED), detail);
            assertEquals(10, o.count(ProxyCounters.Event.OOB_PUBLISHED), detail);
            assertEquals(10, o.count(ProxyCounters.Event.OOB_RETRIEVED), detail);
            assertEquals(10, o.count(ProxyCounters.Event.VERIFIED_PASSED), detail);
            assertEquals(11, node1.totals()[0], "PASSporTs published to node 1 (the warm-up call and 10 SIPp calls)");
            assertTrue(node2.totals()[1] >= 10, "PASSporTs retrieved from node 2: " + node2.totals()[1]);
        } finally {
            api1.close();
            api2.close();
            store1.close();
            store2.close();
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
        assertEquals(0, o.count(ProxyCounters.Event.VERIFIED_PASSED), o.detail());
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
