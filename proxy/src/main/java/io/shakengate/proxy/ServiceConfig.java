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
 */
public record ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                            long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                            AuthenticationPolicy authenticationPolicy) {

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
