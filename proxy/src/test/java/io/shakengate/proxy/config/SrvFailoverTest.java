package io.shakengate.proxy.config;

import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A next hop named by a bare host whose SRV records name several targets (RFC 3263 section 4.3): every target
 * tried in order, a refusing one held down, a reload taking a changed set.
 */
class SrvFailoverTest {
    /** A DNS of the test's: SRV records of _sip._tcp.pair.test as set, every target on 127.0.0.1 but "gone". */
    private static final class PairDns implements NextHops.Dns {
        volatile List<String> srv = List.of();

        @Override
        public List<String> srv(String name) {
            return name.equals("_sip._tcp.pair.test") ? srv : List.of();
        }

        @Override
        public InetAddress address(String host) throws java.net.UnknownHostException {
            if (host.equals("gone.pair.test")) {
                throw new java.net.UnknownHostException(host + ": no such name");
            }
            return InetAddress.getLoopbackAddress();
        }
    }

    /**
     * A next hop named by a bare host whose SRV records name several targets: every target is tried in the order
     * of RFC 3263 (priority, then weight; an unresolvable one left out), the refusing one held down; a reload that
     * finds other targets takes them for the following requests.
     */
    @Test
    void aNameWithSeveralSrvTargetsFailsOverAlongThem() throws Exception {
        PairDns dns = new PairDns();
        NextHops.Dns saved = ApplianceConfig.dns;
        ApplianceConfig.dns = dns;
        int point = Sipp.freeUdpPort();
        int closed = Sipp.freeTcpPort();
        ServerSocket second = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        ServerSocket third = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        try (second; third; DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            second.setSoTimeout(3000);
            third.setSoTimeout(3000);
            caller.setSoTimeout(300);
            dns.srv = List.of("20 0 " + third.getLocalPort() + " c.pair.test.", "10 10 " + second.getLocalPort()
                    + " b.pair.test.", "10 60 " + closed + " a.pair.test.", "10 90 5099 gone.pair.test.");
            String yaml = "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: forward,"
                    + " nextHopTransport: tcp, holdDownSeconds: 30, nextHop: pair.test }\n";
            ApplianceConfig config = ApplianceConfig.parse(yaml, "t.yaml");
            InetAddress lo = InetAddress.getLoopbackAddress();
            assertEquals(List.of(new InetSocketAddress(lo, closed), new InetSocketAddress(lo, second.getLocalPort()),
                    new InetSocketAddress(lo, third.getLocalPort())), config.points().get(0).failover().hops(),
                    "priority 10 by weight (60 before 10), then priority 20; the unresolvable target left out");
            try (Appliance appliance = Appliance.start(config)) {
                ProxyCounters c = appliance.server().counters();
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
                send(caller, to, invite(caller.getLocalPort(), "srv-1"));
                try (Socket s = second.accept()) {
                    s.setSoTimeout(3000);
                    assertTrue(read(s).contains("Call-ID: srv-1"), "the first target refused: on to the second");
                    assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER));
                }
                // the records change: the second target is gone; a reload takes the new set
                dns.srv = List.of("10 60 " + closed + " a.pair.test.", "20 0 " + third.getLocalPort() + " c.pair.test.");
                appliance.reload(ApplianceConfig.parse(yaml, "t.yaml"));
                send(caller, to, invite(caller.getLocalPort(), "srv-2"));
                try (Socket s = third.accept()) {
                    s.setSoTimeout(3000);
                    assertTrue(read(s).contains("Call-ID: srv-2"), "the first still held down: straight to the third");
                }
                assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER), "its hold-down was kept");
            }
        } finally {
            ApplianceConfig.dns = saved;
        }
        NextHopsUnit.targetsSkipDotAndBadPorts();
    }

    /** The order and the records left out, without an appliance. */
    private static final class NextHopsUnit {
        static void targetsSkipDotAndBadPorts() {
            PairDns dns = new PairDns();
            dns.srv = List.of("10 0 0 a.pair.test.", "10 0 5062 .", "30 5 5063 b.pair.test.", "20 5 5064 c.pair.test.");
            List<String> skipped = new java.util.ArrayList<>();
            List<InetSocketAddress> got = NextHops.targets("pair.test", "tcp", dns, skipped);
            assertEquals(List.of(5064, 5063), got.stream().map(InetSocketAddress::getPort).toList());
            assertEquals(List.of(), NextHops.targets("pair.test:5060", "tcp", dns, skipped),
                    "a port given: no SRV");
            dns.srv = List.of("10 0 5065 gone.pair.test.");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> NextHops.targets(
                    "pair.test", "tcp", dns, new java.util.ArrayList<>())).getMessage().contains("no SRV target"));
        }
    }

    private static String invite(int callerPort, String id) {
        return LoopbackSip.invite(callerPort, id, "12155550121", "12155550131", null);
    }

    private static void send(DatagramSocket caller, InetSocketAddress to, String m) throws Exception {
        LoopbackSip.send(caller, to, m);
    }

    private static String read(Socket s) throws Exception {
        return LoopbackSip.readHead(s);
    }
}
