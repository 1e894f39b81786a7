package io.shakengate.proxy.stir;

import io.shakengate.proxy.metrics.ProxyCounters;

/**
 * Where the services report each decision as it is made (the per-call decision log); called on the event loop
 * that decided, so an implementation must not block.
 */
public interface Decisions {
    /** Reports nothing. */
    Decisions NONE = (f, v, counts) -> { };

    /** The call {@code f} was verified as {@code v}. */
    void verified(VerificationFacts f, Verification v, ProxyCounters counts);

    /** The call {@code f} was authenticated as {@code a}, signed by the identity {@code identity} (or null). */
    default void authenticated(CallFacts f, Authentication a, String identity, ProxyCounters counts) {
    }
}
