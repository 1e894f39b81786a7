package io.shakengate.crypto;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers, per PASSporT token, whether its signature verified with the end-entity key of its x5u chain,
 * so that retransmissions and forks of a call cost one ECDSA verification, not one each. Entries live as
 * long as a token can be fresh (twice the freshness window); the cheap per-request checks (numbers, Date,
 * iat, chain dates) still run every time. Bounded: past {@code maxEntries}, expired entries are dropped,
 * then the oldest half, then (all of them young: a flood of distinct tokens) everything. Thread-safe; reads are lock-free.
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
        Outcome outcome = new Outcome(valid, now + lifetimeMillis, key);
        outcomes.put(token, outcome);
        if (outcomes.size() > maxEntries) {
            outcomes.values().removeIf(o -> o.expiresAtMillis() <= now);
            if (outcomes.size() > maxEntries) {
                long cutoff = now + lifetimeMillis / 2;
                outcomes.values().removeIf(o -> o.expiresAtMillis() <= cutoff);
            }
            if (outcomes.size() > maxEntries) {
                // every entry is younger than half its lifetime (a flood of distinct tokens): start again rather
                // than grow past the bound
                outcomes.clear();
                outcomes.put(token, outcome);
            }
        }
    }

    /** Number of tokens remembered. */
    public int size() {
        return outcomes.size();
    }
}
