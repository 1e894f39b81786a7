package io.shakengate.proxy.config;

import io.shakengate.proxy.Role;
import org.snakeyaml.engine.v2.nodes.Node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One entry of {@code listeningPoints}: read and checked; errors name the line. */
final class PointSection {
    private PointSection() {
    }

    static ApplianceConfig.Point point(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "a listening point", Set.of("name", "transport", "listen",
                "advertise", "role", "nextHop", "redirect", "routes", "nextHopTransport", "largeOverTcp", "udpPoint",
                "recordRoute", "holdDownSeconds"));
        String name = YamlNodes.scalar(ApplianceConfig.required(m, "name", n, "listening point"), "name");
        String transport = m.containsKey("transport") ? YamlNodes.scalar(m.get("transport"), "transport") : "udp";
        if (!transport.equals("udp") && !transport.equals("tcp") && !transport.equals("tls")) {
            throw YamlNodes.error(m.get("transport"), "transport must be udp, tcp or tls, was '" + transport + "'");
        }
        boolean redirect = m.containsKey("redirect") && YamlNodes.bool(m.get("redirect"), "redirect");
        String nextHopTransport = null;
        if (m.containsKey("nextHopTransport")) {
            nextHopTransport = YamlNodes.scalar(m.get("nextHopTransport"), "nextHopTransport");
            boolean udpToStream = transport.equals("udp") && (nextHopTransport.equals("tcp") || nextHopTransport.equals("tls"));
            boolean streamToUdp = !transport.equals("udp") && nextHopTransport.equals("udp");
            if (!udpToStream && !streamToUdp) {
                throw YamlNodes.error(m.get("nextHopTransport"), "nextHopTransport: a udp listening point may send "
                        + "over tcp or tls, a tcp or tls point over udp (other combinations are not supported), was '"
                        + nextHopTransport + "' on " + transport);
            }
            if (streamToUdp && !m.containsKey("udpPoint")) {
                throw YamlNodes.error(m.get("nextHopTransport"), "nextHopTransport: udp on a " + transport
                        + " point needs udpPoint: the udp listening point whose socket sends and receives the responses");
            }
        }
        String udpPoint = m.containsKey("udpPoint") ? YamlNodes.scalar(m.get("udpPoint"), "udpPoint") : null;
        if (udpPoint != null && !"udp".equals(nextHopTransport)) {
            throw YamlNodes.error(m.get("udpPoint"), "udpPoint goes with nextHopTransport: udp");
        }
        boolean largeOverTcp = m.containsKey("largeOverTcp") && YamlNodes.bool(m.get("largeOverTcp"), "largeOverTcp");
        if (largeOverTcp && (!transport.equals("udp") || nextHopTransport != null)) {
            throw YamlNodes.error(m.get("largeOverTcp"), "largeOverTcp applies to udp points sending over udp");
        }
        InetSocketAddress nextHop = null;
        String nextHopName = null;
        ApplianceConfig.Failover failover = null;
        if (m.get("nextHop") instanceof org.snakeyaml.engine.v2.nodes.SequenceNode list) {
            // several addresses, tried in order (IP literals: a name is one next hop, refreshed by its records)
            List<InetSocketAddress> hops = new ArrayList<>();
            for (Node h : list.getValue()) {
                hops.add(ApplianceConfig.address(h, "nextHop"));
            }
            if (hops.size() < 2 || hops.size() > 16) {
                throw YamlNodes.error(list, "nextHop: a list needs 2 to 16 addresses (IP and port), was " + hops.size());
            }
            failover = new ApplianceConfig.Failover(hops, m.containsKey("holdDownSeconds") ? YamlNodes.integer(
                    m.get("holdDownSeconds"), "holdDownSeconds", 1, 3600)
                    : ApplianceConfig.Failover.DEFAULT_HOLD_DOWN_SECONDS);
            nextHop = hops.get(0);
            // over UDP a hop fails when its port is unreachable (ICMP, seen by a watch socket: epoll only)
        } else if (m.containsKey("holdDownSeconds") && !(m.get("nextHop")
                instanceof org.snakeyaml.engine.v2.nodes.ScalarNode bare && NextHops.isName(bare.getValue())
                && bare.getValue().indexOf(':') < 0)) {
            throw YamlNodes.error(m.get("holdDownSeconds"), "holdDownSeconds goes with a nextHop list of addresses, or"
                    + " a bare host name whose SRV records name several targets");
        } else if (m.containsKey("nextHop")) {
            try {
                String text = YamlNodes.scalar(m.get("nextHop"), "nextHop").trim();
                nextHopName = NextHops.isName(text) ? text : null;
                String sends = nextHopTransport != null ? nextHopTransport : transport;
                nextHop = NextHops.resolve(text, sends, ApplianceConfig.dns);
                // a bare name: every SRV target, tried in order (RFC 3263 4.3)
                List<InetSocketAddress> targets = NextHops.targets(text, sends, ApplianceConfig.dns, new ArrayList<>());
                if (targets.size() >= 2) {
                    failover = new ApplianceConfig.Failover(targets.subList(0, Math.min(16, targets.size())),
                            m.containsKey("holdDownSeconds") ? YamlNodes.integer(m.get("holdDownSeconds"),
                                    "holdDownSeconds", 1, 3600) : ApplianceConfig.Failover.DEFAULT_HOLD_DOWN_SECONDS);
                    nextHop = failover.hops().get(0);
                }
            } catch (IllegalArgumentException e) {
                throw YamlNodes.error(m.get("nextHop"), "nextHop: " + e.getMessage());
            }
        }
        if (nextHop == null && !redirect) {
            throw YamlNodes.error(n, "listening point '" + name + "' needs a nextHop (or redirect: true)");
        }
        List<io.shakengate.proxy.ListeningPoint.Route> routes = new ArrayList<>();
        if (m.containsKey("routes")) {
            for (Node r : YamlNodes.sequence(m.get("routes"), "routes")) {
                Map<String, Node> rm = YamlNodes.mapping(r, "a route", Set.of("source", "nextHop"));
                try {
                    String hop = YamlNodes.scalar(ApplianceConfig.required(rm, "nextHop", r, "route"), "route nextHop").trim();
                    routes.add(new io.shakengate.proxy.ListeningPoint.Route(
                            YamlNodes.scalar(ApplianceConfig.required(rm, "source", r, "route"), "route source"),
                            NextHops.resolve(hop, transport, ApplianceConfig.dns), NextHops.isName(hop) ? hop : null));
                } catch (IllegalArgumentException e) {
                    throw YamlNodes.error(r, "route: " + e.getMessage());
                }
            }
        }
        return new ApplianceConfig.Point(name, transport, ApplianceConfig.address(ApplianceConfig.required(m, "listen", n, "listening point"), "listen"),
                m.containsKey("advertise") ? YamlNodes.scalar(m.get("advertise"), "advertise") : null,
                m.containsKey("role") ? YamlNodes.choice(m.get("role"), "role", Role.class) : Role.FORWARD,
                nextHop == null ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 9) : nextHop, redirect,
                List.copyOf(routes), nextHopTransport, largeOverTcp, udpPoint,
                m.containsKey("recordRoute") && YamlNodes.bool(m.get("recordRoute"), "recordRoute"), nextHopName,
                failover);
    }
}
