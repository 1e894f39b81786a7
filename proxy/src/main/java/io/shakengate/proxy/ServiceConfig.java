package io.shakengate.proxy;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.proxy.cps.CpsClient;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.Retrieval;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What the fronts read once per message or request: the STIR services of the configuration in force and the
 * next hops named by DNS as last resolved. A reload or a DNS change swaps the whole record in one step.
 *
 * @param authentication the authentication service
 * @param verification   the verification service, or null when this appliance does not verify
 * @param nextHops       next hops named by DNS as last resolved, by listening point name (and
 *                       {@link ListeningPoint#routeKey} for its routes; see {@link #nextHop})
 */
public record ServiceConfig(AuthenticationService authentication, VerificationService verification,
                            Map<String, InetSocketAddress> nextHops) {

    /** The default per-call verification budget, 1.5 s. */
    public static final long DEFAULT_VERIFY_BUDGET_MILLIS = 1500;

    /** Copies the map. */
    public ServiceConfig {
        nextHops = Map.copyOf(nextHops);
    }

    /** Out-of-band SHAKEN for the convenience constructors: the CPS client and when calls are looked up. */
    public record OutOfBand(CpsClient client, Retrieval retrieval) {
    }

    /**
     * Services of a signer (null: none) and its policy, a verifier (null: none) with its budget and policies,
     * and out-of-band delivery (null: none; the signer's key signs the CPS tokens).
     */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                         AuthenticationPolicy authenticationPolicy, OutOfBand outOfBand,
                         Map<String, VerificationPolicy> pointPolicies) {
        this(new AuthenticationService(signer, authenticationPolicy, outOfBand == null ? null : outOfBand.client()),
                verifier == null ? null : new VerificationService(verifier, verifyBudgetMillis, verificationPolicy,
                        pointPolicies, outOfBand == null ? null : new VerificationService.OutOfBand(outOfBand.client(),
                        outOfBand.retrieval(), signer, null), VerificationService.DEFAULT_MAX_PASSPORTS),
                Map.of());
    }

    /** Services with one verification policy for every listening point. */
    public ServiceConfig(PassportSigner signer, Attestation attestation, PassportVerifier verifier,
                         long verifyBudgetMillis, VerificationPolicy verificationPolicy,
                         AuthenticationPolicy authenticationPolicy, OutOfBand outOfBand) {
        this(signer, attestation, verifier, verifyBudgetMillis, verificationPolicy, authenticationPolicy, outOfBand,
                Map.of());
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

    /**
     * The next hop under {@code key} (a listening point's name, or {@link ListeningPoint#routeKey}) as DNS now
     * gives it, or {@code started} (the address it started with) when it is no name or was not looked up again.
     */
    public InetSocketAddress nextHop(String key, InetSocketAddress started) {
        InetSocketAddress now = nextHops.get(key);
        return now != null ? now : started;
    }

    /** These services with named next hops as resolved now (key as in {@link #nextHop} to address). */
    public ServiceConfig withNextHops(Map<String, InetSocketAddress> resolved) {
        return new ServiceConfig(authentication, verification, resolved);
    }

    /** The verification policy of listening point {@code point} (the defaults when this appliance does not verify). */
    public VerificationPolicy verificationPolicy(String point) {
        return verification == null ? VerificationPolicy.defaults() : verification.policy(point);
    }
}
