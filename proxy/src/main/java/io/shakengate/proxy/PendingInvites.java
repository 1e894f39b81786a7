package io.shakengate.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * INVITEs whose verification is in progress, by Call-ID, CSeq and top Via branch, shared by every event loop
 * of a proxy (a UDP retransmission may arrive on another loop). While an INVITE waits for a certificate or the
 * CPS, its retransmissions are dropped (a stateless proxy may drop; RFC 3261 section 16.11) instead of being
 * verified and forwarded a second time; the original is forwarded when its verification ends, and the UAC
 * keeps retransmitting until a response comes. Bounded: beyond {@code max} entries nothing is absorbed.
 */
final class PendingInvites {
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final int max;

    PendingInvites(int max) {
        this.max = max;
    }

    /** True if {@code key} was not pending (it is now); false for a retransmission of a pending INVITE. */
    boolean begin(String key) {
        return keys.size() >= max || keys.add(key);
    }

    /** The INVITE's verification ended. */
    void end(String key) {
        keys.remove(key);
    }

    /** INVITEs pending now. */
    int size() {
        return keys.size();
    }
}
