package io.shakengate.proxy.config;

import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Next hops named by DNS, over real DNS messages to a server on loopback ({@link LoopbackDns}): the records'
 * TTLs come back with the address, and the appliance looks a name up again when its TTL runs out (well before
 * {@code dnsRefreshSeconds}) and not before.
 */
class DnsTtlTest {
    @Test
    void lookupsGiveTheRecordsAndTheirSmallestTtl() throws Exception {
        try (LoopbackDns server = new LoopbackDns()) {
            server.port = 5099;
            server.ttl = 42;
            NextHops.Dns dns = NextHops.overDns(server.resolver());
            NextHops.Resolved r = NextHops.lookup("softswitch.test", "udp", dns);
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5099), r.address());
            assertEquals(42, r.ttl());
            NextHops.Resolved a = NextHops.lookup("target.test:5070", "udp", dns);
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5070), a.address(), "A, no SRV");
            assertEquals(42, a.ttl());
            assertEquals(-1, NextHops.lookup("127.0.0.1:5060", "udp", dns).ttl(), "a literal has no TTL");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NextHops.lookup("nowhere.test", "udp", dns));
            assertTrue(e.getMessage().contains("cannot resolve 'nowhere.test'"), e.getMessage());
            server.srvTarget = ".";
            e = assertThrows(IllegalArgumentException.class, () -> NextHops.lookup("softswitch.test", "udp", dns));
            assertTrue(e.getMessage().contains("says no SIP service there"), "RFC 2782, not the local host: "
                    + e.getMessage());
        }
    }

    /**
     * A record-routed request whose Request-URI names a host by DNS waits for the lookup (off the event loop) and
     * goes there: A with a port, SRV without; a name that does not resolve gets 503 and is counted.
     */
    @Test
    void aRecordRoutedRequestGoesToTheNameInItsRequestUri() throws Exception {
        String limits = "routeLookups: { remembered: 100, atOnce: 8, maxSeconds: 30 }";
        ApplianceConfig c = ApplianceConfig.parse(recordRouting(limits, 5060), "t.yaml");
        assertTrue(c.describe().contains("routeLookups: 100 names remembered, 8 at once, at most 30 s"),
                c.describe());
        ConfigException bad = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(
                "routeLookups: { atOnce: 0 }\nlisteningPoints:\n  - { name: p, listen: \"127.0.0.1:0\","
                        + " nextHop: \"127.0.0.1:5060\" }\n", "t.yaml"));
        assertTrue(bad.getMessage().contains("line 1") && bad.getMessage().contains("routeLookups.atOnce"),
                bad.getMessage());
        throughRecordRoutingPoint(limits, (server, uac, uas, a, point, me) -> {
            server.port = uac.getLocalPort();
            server.ttl = 60;
            for (String target : new String[] {"target.test:" + uac.getLocalPort(), "softswitch.test"}) {
                LoopbackSip.send(uas, point, bye(target, me, uas.getLocalPort()));
                String got = LoopbackSip.receive(uac);
                assertTrue(got.startsWith("BYE sip:caller@" + target + " ") && !got.contains("\r\nRoute:"), got);
            }
            LoopbackSip.send(uas, point, bye("nowhere.test:5060", me, uas.getLocalPort()));
            String refused = LoopbackSip.receive(uas);
            assertTrue(refused.startsWith("SIP/2.0 503 "), refused);
            assertEquals(1, a.server().counters().get(ProxyCounters.Event.UNROUTABLE));
        });
    }

    /**
     * {@code routeLookups.atOnce} holds: with one lookup allowed and a slow DNS server, a second name while the
     * first is looked up gets 503 at once; the first request still goes on when its answer comes.
     */
    @Test
    void lookupsBeyondAtOnceGet503() throws Exception {
        throughRecordRoutingPoint("routeLookups: { atOnce: 1 }", (server, uac, uas, a, point, me) -> {
            server.delayMillis = 600;
            LoopbackSip.send(uas, point, bye("target.test:" + uac.getLocalPort(), me, uas.getLocalPort()));
            LoopbackSip.send(uas, point, bye("target.test:" + (uac.getLocalPort() + 1), me, uas.getLocalPort()));
            String refused = LoopbackSip.receive(uas);
            assertTrue(refused.startsWith("SIP/2.0 503 ") && refused.contains("Call-ID: dns3-target.test:"
                    + (uac.getLocalPort() + 1)), refused);
            String got = LoopbackSip.receive(uac);
            assertTrue(got.startsWith("BYE sip:caller@target.test:" + uac.getLocalPort() + " "), got);
            assertEquals(1, a.server().counters().get(ProxyCounters.Event.UNROUTABLE));
        });
    }

    /** What a test does through a record-routing point whose next hop is {@code uas} and whose DNS is {@code server}. */
    private interface ThroughPoint {
        void run(LoopbackDns server, DatagramSocket uac, DatagramSocket uas, Appliance a, InetSocketAddress point,
                 String me) throws Exception;
    }

    /** Runs {@code test} against an appliance of {@link #recordRouting} on a loopback DNS server, then stops both. */
    private static void throughRecordRoutingPoint(String routeLookups, ThroughPoint test) throws Exception {
        NextHops.Dns saved = ApplianceConfig.dns;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (LoopbackDns server = new LoopbackDns(); DatagramSocket uac = new DatagramSocket(0, lo);
             DatagramSocket uas = new DatagramSocket(0, lo)) {
            ApplianceConfig.dns = NextHops.overDns(server.resolver());
            uac.setSoTimeout(3000);
            uas.setSoTimeout(3000);
            try (Appliance a = Appliance.start(ApplianceConfig.parse(recordRouting(routeLookups, uas.getLocalPort()),
                    "t.yaml"))) {
                InetSocketAddress point = a.bound().get(0);
                test.run(server, uac, uas, a, point, "127.0.0.1:" + point.getPort());
            }
        } finally {
            ApplianceConfig.dns = saved;
        }
    }

    /** {@code routeLookups} and one record-routing point on loopback whose next hop is 127.0.0.1:{@code next}. */
    private static String recordRouting(String routeLookups, int next) {
        return String.join("\n", routeLookups, "listeningPoints:",
                "  - { name: fwd, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:" + next + "\", recordRoute: true }",
                "");
    }

    private static String bye(String requestUriHost, String me, int viaPort) {
        return "BYE sip:caller@" + requestUriHost + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + viaPort + ";branch=z9hG4bK-" + requestUriHost.hashCode() + "\r\n"
                + "Route: <sip:" + me + ";lr>\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:+12155550131@127.0.0.1>;tag=uas3\r\n"
                + "To: <sip:+12155550121@127.0.0.1>;tag=dns3\r\nCall-ID: dns3-" + requestUriHost + "\r\n"
                + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void aNextHopIsLookedUpAgainWhenItsTtlRunsOut() throws Exception {
        NextHops.Dns saved = ApplianceConfig.dns;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (LoopbackDns server = new LoopbackDns(); DatagramSocket first = new DatagramSocket(0, lo);
             DatagramSocket second = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            ApplianceConfig.dns = NextHops.overDns(server.resolver());
            first.setSoTimeout(3000);
            second.setSoTimeout(200);
            server.port = first.getLocalPort();
            server.ttl = 1;
            ApplianceConfig c = ApplianceConfig.parse(String.join("\n",
                    "dnsRefreshSeconds: 3600",
                    "listeningPoints:",
                    "  - { name: fwd, listen: \"127.0.0.1:0\", nextHop: softswitch.test }",
                    ""), "t.yaml");
            try (Appliance a = Appliance.start(c)) {
                InetSocketAddress point = a.bound().get(0);
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "t1", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(first).contains("Call-ID: t1\r\n"));

                // TTL 1 s: the move is followed within seconds although dnsRefreshSeconds is an hour
                server.port = second.getLocalPort();
                boolean moved = LoopbackSip.followed(caller, point, second, "t2-", 6);
                assertTrue(moved, "requests follow the record once its TTL ran out");
                assertEquals(1, a.server().counters().get(ProxyCounters.Event.NEXT_HOP_CHANGED));

                // TTL 600 s from the next lookup on: a move after it is not seen for the TTL's time
                server.ttl = 600;
                int queries = server.srvQueries.get();
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (server.srvQueries.get() == queries && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(server.srvQueries.get() > queries, "looked up again after the 1 s TTL");
                Thread.sleep(200); // that lookup's answer is taken in
                int afterLongTtl = server.srvQueries.get();
                server.port = first.getLocalPort();
                Thread.sleep(3000);
                assertEquals(afterLongTtl, server.srvQueries.get(), "no lookup before the 600 s TTL runs out");
                second.setSoTimeout(3000);
                LoopbackSip.drain(second);
                LoopbackSip.drain(first);
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "t3", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(second).contains("Call-ID: t3\r\n"), "the last address holds");
                assertEquals(1, a.server().counters().get(ProxyCounters.Event.NEXT_HOP_CHANGED));
            }
        } finally {
            ApplianceConfig.dns = saved;
        }
    }
}
