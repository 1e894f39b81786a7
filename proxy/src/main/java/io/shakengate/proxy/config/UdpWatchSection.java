package io.shakengate.proxy.config;

import org.snakeyaml.engine.v2.nodes.Node;

import java.util.Map;
import java.util.Set;

/**
 * The {@code sipUdp} section: how a UDP point learns that its next hop's port is unreachable (an ICMP
 * port-unreachable, seen on a connected watch socket per next-hop address; {@code transport.UdpHopWatch}).
 * Optional; a reload applies new values to the requests sent from then on.
 *
 * <pre>
 * sipUdp:
 *   unreachableWaitMillis: 200   # a request is held this long for an ICMP error before it counts as arrived
 *   watchedHops: 64              # next-hop addresses watched per point (0: none; others are sent unwatched)
 * </pre>
 */
public final class UdpWatchSection {
    static final Set<String> KEYS = Set.of("sipUdp");

    /** The settings; see the class comment. */
    public record Settings(int unreachableWaitMillis, int watchedHops) {
        /** 200 ms, 64 addresses. */
        public static final Settings DEFAULT = new Settings(200, 64);
    }

    private UdpWatchSection() {
    }

    static Settings parse(Map<String, Node> top) {
        if (!top.containsKey("sipUdp")) {
            return Settings.DEFAULT;
        }
        Map<String, Node> m = YamlNodes.mapping(top.get("sipUdp"), "sipUdp",
                Set.of("unreachableWaitMillis", "watchedHops"));
        Settings d = Settings.DEFAULT;
        return new Settings(
                m.containsKey("unreachableWaitMillis") ? YamlNodes.integer(m.get("unreachableWaitMillis"),
                        "sipUdp.unreachableWaitMillis", 10, 5000) : d.unreachableWaitMillis(),
                m.containsKey("watchedHops") ? YamlNodes.integer(m.get("watchedHops"), "sipUdp.watchedHops", 0,
                        4096) : d.watchedHops());
    }
}
