package io.shakengate.proxy.config;

import org.snakeyaml.engine.v2.nodes.Node;

import java.util.Map;
import java.util.Set;

/**
 * The {@code sipStreams} section: the limits on SIP connections accepted by each TCP/TLS listening point, so that
 * floods of idle or half-open connections and slow-loris senders cannot take the descriptors and memory normal
 * calls need. Optional; a reload applies new limits to the connections accepted from then on and to the checks
 * of those open.
 *
 * <pre>
 * sipStreams:
 *   maxConnections: 4096     # connections open at once per listening point; one more is closed at once
 *   maxPerAddress: 512       # of them from one IP address
 *   idleSeconds: 900         # a connection without a byte (a CRLF keep-alive counts) this long is closed
 *   messageSeconds: 10       # a message begun must be complete within this time (slow-loris), else closed
 * </pre>
 *
 * Each closing is counted by reason ({@code sip_stream_closed_total{reason}}).
 */
public final class StreamLimits {
    static final Set<String> KEYS = Set.of("sipStreams");

    /** The limits; see the class comment. */
    public record Limits(int maxConnections, int maxPerAddress, int idleSeconds, int messageSeconds) {
        /** 4096 connections, 512 per address, 900 s idle, 10 s per message. */
        public static final Limits DEFAULT = new Limits(4096, 512, 900, 10);
    }

    private StreamLimits() {
    }

    static Limits parse(Map<String, Node> top) {
        if (!top.containsKey("sipStreams")) {
            return Limits.DEFAULT;
        }
        Map<String, Node> m = YamlNodes.mapping(top.get("sipStreams"), "sipStreams",
                Set.of("maxConnections", "maxPerAddress", "idleSeconds", "messageSeconds"));
        Limits d = Limits.DEFAULT;
        int max = m.containsKey("maxConnections")
                ? YamlNodes.integer(m.get("maxConnections"), "sipStreams.maxConnections", 1, 1_000_000)
                : d.maxConnections();
        int perAddress = m.containsKey("maxPerAddress")
                ? YamlNodes.integer(m.get("maxPerAddress"), "sipStreams.maxPerAddress", 1, 1_000_000)
                : Math.min(d.maxPerAddress(), max);
        if (perAddress > max) {
            throw YamlNodes.error(m.get("maxPerAddress"), "sipStreams.maxPerAddress (" + perAddress
                    + ") is above sipStreams.maxConnections (" + max + ")");
        }
        return new Limits(max, perAddress,
                m.containsKey("idleSeconds") ? YamlNodes.integer(m.get("idleSeconds"), "sipStreams.idleSeconds", 1,
                        86_400) : d.idleSeconds(),
                m.containsKey("messageSeconds") ? YamlNodes.integer(m.get("messageSeconds"),
                        "sipStreams.messageSeconds", 1, 3600) : d.messageSeconds());
    }
}
