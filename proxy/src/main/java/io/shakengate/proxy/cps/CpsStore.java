package io.shakengate.proxy.cps;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a CPS keeps PASSporTs: by (called number, calling number), each until its expiry, and the token ids
 * it has seen (replay protection). Embedded ({@link MemoryCpsStore}); a store several CPS nodes share
 * implements the same. Futures may complete on any thread.
 */
public interface CpsStore extends AutoCloseable {
    /** What a publish did. */
    enum Outcome {
        /** Stored. */
        STORED,
        /** The token id was used before. */
        REPLAYED,
        /** The call already has as many PASSporTs as the store keeps for one call. */
        TOO_MANY,
        /** The store holds as many calls as it may. */
        FULL
    }

    /**
     * Stores {@code passports} for (dest, orig) until {@code expiresAtMillis}, unless token {@code jti} was seen
     * before; the jti is remembered until {@code jtiExpiresAtMillis}.
     */
    CompletableFuture<Outcome> publish(String dest, String orig, List<String> passports, long expiresAtMillis,
                                       String jti, long jtiExpiresAtMillis);

    /** The unexpired PASSporTs for (dest, orig), oldest first; empty if none. */
    CompletableFuture<List<String>> retrieve(String dest, String orig);

    /** A short description for the start-up log. */
    String describe();

    @Override
    void close();
}
