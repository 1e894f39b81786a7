package io.shakengate.crypto;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, per PASSporT token, whether its signature verified with the end-entity key of its x5u chain,
 * so that retransmissions and forks of a call cost one ECDSA verification, not one each. Entries live as
 * long as a token can be fresh (twice the freshness window); the cheap per-request checks (numbers, Date,
 * iat, chain dates) still run every time. Bounded: past {@code maxEntries}, expired entries are dropped,
 * then the oldest half. Thread-safe; reads are lock-free.
 */
public final class VerifiedTokens {
    private record Outcome(boolean valid, long expiresAtMillis, Object key) {
    }

    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long lifetimeMillis;
    private final LongSupplier clockMillis;

    /** A cache of at most {@code maxEntries} tokens, each kept {@code lifetimeMillis}. */
    public VerifiedTokens(int maxEntries, long lifetimeMillis, LongSupplier clockMillis) {
        this.maxEntries = maxEntries;
        this.lifetimeMillis = lifetimeMillis;
        this.clockMillis = clockMillis;
    }

    /**
     * The remembered outcome for {@code token} verified with {@code key}: TRUE, FALSE, or null when unknown
     * (or known only for another key, after a certificate change).
     */
    public Boolean lookup(String token, Object key) {
        Outcome o = outcomes.get(token);
        if (o == null || o.key() != key || clockMillis.getAsLong() >= o.expiresAtMillis()) {
            return null;
        }
        return o.valid();
    }

    /** Remembers that {@code token} did (or did not) verify with {@code key}. */
    public void remember(String token, Object key, boolean valid) {
        long now = clockMillis.getAsLong();
        outcomes.put(token, new Outcome(valid, now + lifetimeMillis, key));
        if (outcomes.size() > maxEntries) {
            outcomes.values().removeIf(o -> o.expiresAtMillis() <= now);
            if (outcomes.size() > maxEntries) {
                long cutoff = now + lifetimeMillis / 2;
                outcomes.values().removeIf(o -> o.expiresAtMillis() <= cutoff);
            }
        }
    }

    /** Number of tokens remembered. */
    public int size() {
        return outcomes.size();
    }
}
