package io.shakengate.proxy;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;

/**
 * The STIR services behind the listening points: the signer (with the attestation it gives) and the
 * verifier with its per-call budget.
 *
 * @param signer              signs for SIGN listening points (null if none)
 * @param attestation         attestation given to every signed call (policies come with the policy work)
 * @param verifier            verifies for VERIFY listening points (null if none)
 * @param verifyBudgetMillis  how long an INVITE may wait for a certificate before the fallback
 * @param verificationPolicy  what each verification outcome class leads to
 */
public record ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                            long verifyBudgetMillis, VerificationPolicy verificationPolicy) {

    /** Services with the default verification policy (forward with verstat). */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis) {
        this(signer, attestation, verifier, verifyBudgetMillis, VerificationPolicy.defaults());
    }
    /** The default per-call verification budget, 1.5 s. */
    public static final long DEFAULT_VERIFY_BUDGET_MILLIS = 1500;
}
