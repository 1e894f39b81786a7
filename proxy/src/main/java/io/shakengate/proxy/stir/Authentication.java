package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.Attestation;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The authentication service's decision for one call and what it did: which rule decided, the attestation,
 * how the PASSporT travels, and the signed Identity header value.
 *
 * @param outcome        what happened
 * @param rule           the name of the rule that decided ({@code default} when none matched), or null
 * @param attestation    the attestation signed with (null unless {@link Outcome#SIGNED})
 * @param delivery       how the PASSporT travels (null unless signed)
 * @param identity       the Identity header value's bytes (ASCII; only the first {@code identityLength}
 *                       count), or null unless signed; a buffer the caller lent may be reused by its next call
 * @param identityLength the length of the value in {@code identity}
 * @param inBand         whether the Identity header goes on the request (false: published only)
 * @param published      whether the PASSporT is being published to the CPS(s)
 * @param family         the Identity header values of the other PASSporTs signed for the call (div, rcd, rph),
 *                       added after the SHAKEN one; may be empty
 * @param refusal        how a blocked call is answered (null unless {@link Outcome#BLOCKED})
 */
public record Authentication(Outcome outcome, String rule, Attestation attestation,
                             AuthenticationPolicy.Delivery delivery, byte[] identity, int identityLength,
                             boolean inBand, boolean published, List<String> family, Refusal refusal) {
    /** Copies the list. */
    public Authentication {
        family = family == null ? List.of() : List.copyOf(family);
    }

    /** What the service did. */
    public enum Outcome {
        /** Signed; the PASSporT goes in band and/or to the CPS. */
        SIGNED,
        /** A rule says these calls are not signed: forwarded as they are. */
        NOT_SIGNED,
        /** A rule blocks the call (SIP 603, API 403). */
        BLOCKED,
        /** The request already carries an Identity header: kept, not signed again. */
        IDENTITY_PRESENT,
        /** No calling or called telephone number: nothing to sign. */
        NO_NUMBERS,
        /** This appliance has no signing key. */
        NO_SIGNER,
        /** No signing identity covers the calling number (delegate scope): forwarded unsigned. */
        OUT_OF_SCOPE
    }

    /** A decision that signs nothing. */
    static Authentication none(Outcome outcome, String rule) {
        return new Authentication(outcome, rule, null, null, null, 0, false, false, List.of(), null);
    }

    /** A blocked call and its answer. */
    static Authentication blocked(String rule, Refusal refusal) {
        return new Authentication(Outcome.BLOCKED, rule, null, null, null, 0, false, false, List.of(), refusal);
    }

    /** The request already carries an Identity: kept, with {@code family} (a div for a diversion) added. */
    static Authentication kept(String rule, List<String> family) {
        return new Authentication(Outcome.IDENTITY_PRESENT, rule, null, null, null, 0, false, false, family, null);
    }

    /** Whether a PASSporT was signed. */
    public boolean signed() {
        return outcome == Outcome.SIGNED;
    }

    /** The Identity header value as text, or null. */
    public String identityString() {
        return identity == null ? null : new String(identity, 0, identityLength, StandardCharsets.US_ASCII);
    }
}
