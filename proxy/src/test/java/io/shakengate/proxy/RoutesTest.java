package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routes by source: a listening point sends requests from 127.0.0.2 to one next hop and everything else to
 * its default next hop (loopback addresses 127.0.0.0/8 all reach this machine on Linux).
 */
class RoutesTest {
    @Test
    void theFirstMatchingSourceRouteDecides() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        InetAddress lo2 = InetAddress.getByName("127.0.0.2");
        try (DatagramSocket fallback = new DatagramSocket(0, lo); DatagramSocket routed = new DatagramSocket(0, lo);
             DatagramSocket caller = new DatagramSocket(0, lo); DatagramSocket caller2 = new DatagramSocket(0, lo2)) {
            fallback.setSoTimeout(3000);
            routed.setSoTimeout(3000);
            String yaml = String.join("\n",
                    "listeningPoints:",
                    "  - name: fwd",
                    "    listen: \"127.0.0.1:0\"",
                    "    nextHop: \"127.0.0.1:" + fallback.getLocalPort() + "\"",
                    "    routes:",
                    "      - { source: 127.0.0.2/32, nextHop: \"127.0.0.1:" + routed.getLocalPort() + "\" }",
                    "");
            ApplianceConfig c = ApplianceConfig.parse(yaml, "t.yaml");
            assertTrue(c.describe().contains("from 127.0.0.2/32 -> "), c.describe());
            try (Appliance a = Appliance.start(c)) {
                InetSocketAddress point = a.bound().get(0);
                LoopbackSip.send(caller2, point, LoopbackSip.invite(caller2.getLocalPort(), "r1", "12155550121",
                        "12155550131", null).replace("Via: SIP/2.0/UDP 127.0.0.1:", "Via: SIP/2.0/UDP 127.0.0.2:"));
                assertTrue(LoopbackSip.receive(routed).contains("Call-ID: r1\r\n"));
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "r2", "12155550121",
                        "12155550131", null));
                assertTrue(LoopbackSip.receive(fallback).contains("Call-ID: r2\r\n"));
                long deadline = System.nanoTime() + 2_000_000_000L; // counted just after the send
                while (a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED) < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(2, a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED));
            }
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(String.join("\n",
                "listeningPoints:",
                "  - name: fwd",
                "    listen: \"127.0.0.1:0\"",
                "    nextHop: \"127.0.0.1:5060\"",
                "    routes:",
                "      - { source: 10.0.0.0/33, nextHop: \"127.0.0.1:5062\" }", ""), "t.yaml"));
        assertTrue(e.getMessage().contains("line 6") && e.getMessage().contains("route"), e.getMessage());
    }

    @Test
    void transportChangesThatAreNotSupportedAreRefusedWithTheirLine() {
        String[][] cases = {
            {"{ name: p, transport: tcp, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\", nextHopTransport: udp }",
                "needs udpPoint"},
            {"{ name: p, transport: tcp, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\", nextHopTransport: tls }",
                "nextHopTransport"},
            {"{ name: p, transport: tcp, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\", nextHopTransport: udp, "
                + "udpPoint: nowhere }", "udpPoint 'nowhere' is no udp listening point"},
            {"{ name: p, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\", nextHopTransport: tcp, largeOverTcp: true }",
                "largeOverTcp"},
            {"{ name: p, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:5060\", nextHopTransport: tls }", "no tls section"},
        };
        for (String[] c : cases) {
            ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(
                    "listeningPoints:\n  - " + c[0] + "\n", "t.yaml"));
            assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains(c[1]), e.getMessage());
        }
        ApplianceConfig ok = ApplianceConfig.parse("listeningPoints:\n  - { name: p, listen: \"127.0.0.1:0\", "
                + "nextHop: \"127.0.0.1:5060\", largeOverTcp: true }\n", "t.yaml");
        assertTrue(ok.describe().contains("(over tcp above 1300 bytes)"), ok.describe());
    }
}
