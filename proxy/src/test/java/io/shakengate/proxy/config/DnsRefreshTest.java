package io.shakengate.proxy.config;

import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;

import javax.naming.NamingException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A next hop named by DNS follows its records while the appliance runs: the timer looks the name up again and
 * the following requests go to the new address, for a point's next hop and for a route's; a failed lookup
 * keeps the last address and is counted; a
 * reload whose lookup finds another address is accepted (the name did not change) and routes by it. DNS is
 * our own (no DNS server is reachable from the test machines): an SRV record whose port we move between two
 * loopback sockets.
 */
class DnsRefreshTest {
    /**
     * SRV _sip._udp.softswitch.test -> target.test:{@link #port}, _sip._udp.partner.test ->
     * target.test:{@link #routePort}; A target.test -> 127.0.0.1.
     */
    static final class MovingDns implements NextHops.Dns {
        volatile int port;
        volatile int routePort;
        volatile boolean down;

        @Override
        public List<String> srv(String name) throws NamingException {
            if (down) {
                throw new NamingException("DNS server unreachable");
            }
            return name.equals("_sip._udp.softswitch.test") ? List.of("10 10 " + port + " target.test.")
                    : name.equals("_sip._udp.partner.test") ? List.of("10 10 " + routePort + " target.test.")
                    : List.of();
        }

        @Override
        public InetAddress address(String host) throws UnknownHostException {
            if (!host.equals("target.test")) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getLoopbackAddress();
        }
    }

    @Test
    void aNamedNextHopFollowsItsRecords() throws Exception {
        NextHops.Dns saved = ApplianceConfig.dns;
        MovingDns dns = new MovingDns();
        ApplianceConfig.dns = dns;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket first = new DatagramSocket(0, lo); DatagramSocket second = new DatagramSocket(0, lo);
             DatagramSocket caller = new DatagramSocket(0, lo);
             DatagramSocket partnerA = new DatagramSocket(0, lo); DatagramSocket partnerB = new DatagramSocket(0, lo);
             DatagramSocket partnerCaller = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"))) {
            first.setSoTimeout(3000);
            second.setSoTimeout(200);
            partnerA.setSoTimeout(3000);
            partnerB.setSoTimeout(3000);
            dns.port = first.getLocalPort();
            dns.routePort = partnerA.getLocalPort();
            String yaml = String.join("\n",
                    "dnsRefreshSeconds: 1",
                    "listeningPoints:",
                    "  - name: fwd",
                    "    listen: \"127.0.0.1:0\"",
                    "    nextHop: softswitch.test",
                    "    routes: [ { source: 127.0.0.2/32, nextHop: partner.test } ]",
                    "");
            ApplianceConfig c = ApplianceConfig.parse(yaml, "t.yaml");
            assertTrue(c.describe().contains("-> softswitch.test = ")
                    && c.describe().contains("from 127.0.0.2/32 -> partner.test = "), c.describe());
            try (Appliance a = Appliance.start(c)) {
                InetSocketAddress point = a.bound().get(0);
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "d1", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(first).contains("Call-ID: d1\r\n"));

                // the record moves: within a few refresh periods the requests follow it (the timer, not the test)
                dns.port = second.getLocalPort();
                boolean moved = LoopbackSip.followed(caller, point, second, "d2-", 5);
                assertTrue(moved, "requests go to the new address");
                assertEquals(1, a.server().counters().get(ProxyCounters.Event.NEXT_HOP_CHANGED));

                // a route's named next hop moves too (refreshed here at once rather than by the timer)
                String fromPartner = LoopbackSip.invite(partnerCaller.getLocalPort(), "p1", "12155550121",
                        "12155550131", null).replace("Via: SIP/2.0/UDP 127.0.0.1:", "Via: SIP/2.0/UDP 127.0.0.2:");
                LoopbackSip.send(partnerCaller, point, fromPartner);
                assertTrue(LoopbackSip.receive(partnerA).contains("Call-ID: p1\r\n"));
                dns.routePort = partnerB.getLocalPort();
                a.refreshNextHops(); // the timer may have taken it already: either way the next request moves
                LoopbackSip.send(partnerCaller, point, fromPartner.replace("p1", "p2"));
                assertTrue(LoopbackSip.receive(partnerB).contains("Call-ID: p2\r\n"));
                assertEquals(2, a.server().counters().get(ProxyCounters.Event.NEXT_HOP_CHANGED));

                // DNS down: the last address stays, the failure is counted
                dns.down = true;
                assertEquals(0, a.refreshNextHops());
                assertTrue(a.server().counters().get(ProxyCounters.Event.NEXT_HOP_LOOKUP_FAILED) >= 2, "both names");
                second.setSoTimeout(3000);
                LoopbackSip.drain(second);
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "d3", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(second).contains("Call-ID: d3\r\n"));

                // a reload reads the name again: accepted although the address differs from the start's
                dns.down = false;
                dns.port = first.getLocalPort();
                a.reload(ApplianceConfig.parse(yaml, "t.yaml"));
                LoopbackSip.drain(first);
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "d4", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(first).contains("Call-ID: d4\r\n"));
            }
        } finally {
            ApplianceConfig.dns = saved;
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(
                "dnsRefreshSeconds: -1\nlisteningPoints:\n  - { name: p, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\" }\n",
                "t.yaml"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("dnsRefreshSeconds"), e.getMessage());
    }
}
