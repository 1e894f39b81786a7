package io.shakengate.proxy;

import io.netty.util.AsciiString;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The INVITEs a sign point signed lately, by the branch it forwarded them with (the same for a retransmission,
 * {@link SipAddresses#branch}): a UDP retransmission of an INVITE the point already signed is forwarded with the
 * same Identity headers, not signed again, so that the next hop sees the same request (a UAS that matches
 * retransmissions by their bytes, as SIPp does, took a re-signed one for a new request and dropped the call) and
 * nothing is published to the CPS twice. Kept {@link #KEEP_NANOS} (Timer B, 64 x T1), at most {@link #MAX} (the
 * oldest forgotten first). One per handler, on its event loop: no locks.
 */
final class SignedRetransmissions {
    static final int MAX = 16_384;
    static final long KEEP_NANOS = 32_000_000_000L;

    /** What was forwarded: the SHAKEN Identity header value (null: out of band only) and the family's. */
    record Signed(AsciiString identity, List<String> family, long atNanos) {
    }

    private final LinkedHashMap<String, Signed> recent = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Signed> eldest) {
            return size() > MAX || System.nanoTime() - eldest.getValue().atNanos() > KEEP_NANOS;
        }
    };

    /**
     * What the INVITE forwarded with {@code branch} in call {@code callId} was signed with, or null (not signed
     * here lately). The Call-ID too: a UA that reused a branch in another call gets its own signature.
     */
    Signed get(String branch, String callId) {
        String key = branch + ' ' + callId;
        Signed s = recent.get(key);
        if (s != null && System.nanoTime() - s.atNanos() > KEEP_NANOS) {
            recent.remove(key);
            return null;
        }
        return s;
    }

    /** Remembers what the INVITE forwarded with {@code branch} in call {@code callId} was signed with. */
    void put(String branch, String callId, AsciiString identity, List<String> family) {
        recent.put(branch + ' ' + callId, new Signed(identity, family, System.nanoTime()));
    }
}
