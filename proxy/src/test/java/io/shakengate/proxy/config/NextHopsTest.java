package io.shakengate.proxy.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Next hops by DNS, with a DNS of our own (no DNS server is reachable from the test machines): SRV by
 * transport, lowest priority then highest weight, A/AAAA fallback with the transport's default port, literals
 * untouched, and the configuration naming the line of a next hop that does not resolve.
 */
class NextHopsTest {
    static final NextHops.Dns DNS = new NextHops.Dns() {
        final Map<String, List<String>> srv = Map.of(
                "_sip._udp.carrier.test", List.of("20 100 5070 backup.carrier.test.", "10 10 5080 small.carrier.test.",
                        "10 60 5060 big.carrier.test."),
                "_sips._tcp.carrier.test", List.of("10 0 5061 tls.carrier.test."));
        final Map<String, String> a = Map.of("big.carrier.test", "192.0.2.10", "small.carrier.test", "192.0.2.11",
                "backup.carrier.test", "192.0.2.12", "tls.carrier.test", "192.0.2.13", "carrier.test", "192.0.2.1",
                "softswitch.test", "2001:db8::5");

        @Override
        public List<String> srv(String name) {
            return srv.getOrDefault(name, List.of());
        }

        @Override
        public InetAddress address(String host) throws UnknownHostException {
            String ip = a.get(host);
            if (ip == null) {
                throw new UnknownHostException(host + ": no such name");
            }
            return InetAddress.getByName(ip);
        }
    };

    static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void srvThenAddressThenLiterals() throws Exception {
        assertEquals(at("192.0.2.10", 5060), NextHops.resolve("carrier.test", "udp", DNS), "priority 10, weight 60");
        assertEquals(at("192.0.2.13", 5061), NextHops.resolve("carrier.test", "tls", DNS), "_sips._tcp");
        assertEquals(at("192.0.2.1", 5060), NextHops.resolve("carrier.test", "tcp", DNS), "no _sip._tcp: A record");
        assertEquals(at("192.0.2.1", 5099), NextHops.resolve("carrier.test:5099", "udp", DNS), "a port: no SRV");
        assertEquals(at("2001:db8::5", 5060), NextHops.resolve("softswitch.test", "udp", DNS), "AAAA");
        assertEquals(at("198.51.100.7", 5060), NextHops.resolve("198.51.100.7:5060", "udp", DNS));
        assertEquals(at("2001:db8::9", 5062), NextHops.resolve("[2001:db8::9]:5062", "udp", DNS));
        assertEquals(at("2001:db8::9", 5061), NextHops.resolve("[2001:db8::9]", "tls", DNS));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NextHops.resolve("nowhere.test", "udp", DNS))
                .getMessage().contains("cannot resolve 'nowhere.test'"));
        assertThrows(IllegalArgumentException.class, () -> NextHops.resolve("carrier.test:0", "udp", DNS));
        assertThrows(IllegalArgumentException.class, () -> NextHops.resolve("carrier.test:x", "udp", DNS));
        // the system resolver knows localhost from /etc/hosts
        assertTrue(NextHops.resolve("localhost:5060", "udp", NextHops.SYSTEM).getAddress().isLoopbackAddress());
    }

    @Test
    void theConfigurationNamesTheLine() throws Exception {
        NextHops.Dns saved = ApplianceConfig.dns;
        ApplianceConfig.dns = DNS;
        try {
            String yaml = String.join("\n",
                    "verification: { trustAnchors: /nonexistent }",
                    "listeningPoints:",
                    "  - { name: in, listen: \"127.0.0.1:5060\", role: verify, nextHop: carrier.test }",
                    "  - { name: out, listen: \"127.0.0.1:5062\", role: verify, nextHop: \"nowhere.test:5060\" }",
                    "");
            ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(yaml, "t.yaml"));
            assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("nowhere.test"), e.getMessage());
            ApplianceConfig c = ApplianceConfig.parse(yaml.replace("nowhere.test", "softswitch.test"), "t.yaml");
            assertEquals(at("192.0.2.10", 5060), c.points().get(0).nextHop());
            assertEquals(at("2001:db8::5", 5060), c.points().get(1).nextHop());
        } finally {
            ApplianceConfig.dns = saved;
        }
    }
}
