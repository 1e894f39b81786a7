package io.shakengate.proxy;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;

/**
 * The STIR services behind the listening points: the signer (with the attestation it gives) and the
 * verifier with its per-call budget.
 *
 * @param signer              signs for SIGN listening points (null if none)
 * @param attestation         attestation of the default policy (unused when a policy is given)
 * @param verifier            verifies for VERIFY listening points (null if none)
 * @param verifyBudgetMillis  how long an INVITE may wait for a certificate before the fallback
 * @param verificationPolicy  what each verification outcome class leads to
 * @param authenticationPolicy which calls are signed, with which attestation, or blocked
 * @param outOfBand           the CPS client and when calls arriving are looked up there, or null
 * @param pointPolicies       verification policies of particular listening points (by name), over the default
 * @param nextHops            next hops named by DNS as last resolved, by listening point name (and
 *                            {@link ListeningPoint#routeKey} for its routes; see {@link #nextHop})
 */
public record ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                            long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                            AuthenticationPolicy authenticationPolicy, OutOfBand outOfBand,
                            java.util.Map<String, VerificationPolicy> pointPolicies,
                            java.util.Map<String, java.net.InetSocketAddress> nextHops) {

    /** Services whose listening points go to the next hops they were started with. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                         AuthenticationPolicy authenticationPolicy, OutOfBand outOfBand,
                         java.util.Map<String, VerificationPolicy> pointPolicies) {
        this(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy, authenticationPolicy, outOfBand,
                pointPolicies, java.util.Map.of());
    }

    /**
     * The next hop under {@code key} (a listening point's name, or {@link ListeningPoint#routeKey}) as DNS now
     * gives it, or {@code started} (the address it started with) when it is no name or was not looked up again.
     */
    public java.net.InetSocketAddress nextHop(String key, java.net.InetSocketAddress started) {
        java.net.InetSocketAddress now = nextHops.get(key);
        return now != null ? now : started;
    }

    /** These services with named next hops as resolved now (key as in {@link #nextHop} to address). */
    public ServiceConfig withNextHops(java.util.Map<String, java.net.InetSocketAddress> resolved) {
        return new ServiceConfig(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy,
                authenticationPolicy, outOfBand, pointPolicies, java.util.Map.copyOf(resolved));
    }

    /** Services with one verification policy for every listening point. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                         AuthenticationPolicy authenticationPolicy, OutOfBand outOfBand) {
        this(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy, authenticationPolicy, outOfBand,
                java.util.Map.of());
    }

    /** The verification policy of listening point {@code point}. */
    public VerificationPolicy verificationPolicy(String point) {
        VerificationPolicy p = pointPolicies.get(point);
        return p != null ? p : verificationPolicy;
    }

    /** When the verification service looks a call up in the CPS. */
    public enum Retrieval {
        /** Never. */
        OFF,
        /** When the INVITE carries no SHAKEN Identity header (it crossed TDM). */
        WHEN_NO_IDENTITY,
        /** Always; an in-band PASSporT that passes still wins. */
        ALWAYS
    }

    /** Out-of-band SHAKEN: the CPS client (publishing for signed calls, retrieving for arriving ones). */
    public record OutOfBand(io.shakengate.proxy.cps.CpsClient client, Retrieval retrieval) {
    }

    /** Services without out-of-band SHAKEN. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                         AuthenticationPolicy authenticationPolicy) {
        this(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy, authenticationPolicy, null);
    }

    /** Services with the default verification policy (forward with verstat), signing all with {@code attestation}. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis) {
        this(signer, attestation, verifier, verifyBudgetMillis, VerificationPolicy.defaults(),
                AuthenticationPolicy.always(attestation));
    }

    /** Services with a verification policy, signing all with {@code attestation}. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy) {
        this(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy,
                AuthenticationPolicy.always(attestation));
    }
    /** The default per-call verification budget, 1.5 s. */
    public static final long DEFAULT_VERIFY_BUDGET_MILLIS = 1500;
}
