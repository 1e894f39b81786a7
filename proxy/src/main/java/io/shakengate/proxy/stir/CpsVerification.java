package io.shakengate.proxy.stir;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.cps.PassportEnvelope;
import io.shakengate.crypto.passport.Passport;
import io.shakengate.crypto.passport.PassportParser;
import io.shakengate.proxy.metrics.ProxyCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The out-of-band part of a call's verification (ATIS-1000096): the Call Placement Service's PASSporTs for
 * (orig, first dest) retrieved within the call's budget, each opened when sealed to this appliance
 * ({@link PassportEnvelope}) and verified as in band with its own x5u as info; a div-o PASSporT (a call diverted
 * before it crossed TDM) verified with the PASSporT it carries. Immutable and thread-safe.
 */
final class CpsVerification {
    private static final PassportParser PARSER = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);

    private final VerificationService.OutOfBand outOfBand;
    private final PassportVerifier verifier;
    private final long budgetMillis;
    private final int maxPassports;

    CpsVerification(VerificationService.OutOfBand outOfBand, PassportVerifier verifier, long budgetMillis,
                    int maxPassports) {
        this.outOfBand = outOfBand;
        this.maxPassports = maxPassports;
        this.verifier = verifier;
        this.budgetMillis = budgetMillis;
    }

    /**
     * The CPS's PASSporTs for the call, each opened when sealed and verified; completes with the one that
     * decides among them (the first that passed, else the first failure), or NO_IDENTITY when there are none.
     */
    CompletableFuture<Verification.Checked> verify(VerificationFacts f, ProxyCounters counts) {
        String dest = f.dest().get(0);
        return outOfBand.client().retrieve(outOfBand.tokenSigner(), f.orig(), dest,
                System.currentTimeMillis() + budgetMillis - 100).thenCompose(tokens -> {
                    counts.count(tokens.isEmpty() ? ProxyCounters.Event.OOB_RETRIEVED_NONE
                            : ProxyCounters.Event.OOB_RETRIEVED);
                    List<CompletableFuture<VerificationResult>> each = new ArrayList<>(tokens.size());
                    for (String token : tokens) {
                        each.add(retrieved(token, f.orig(), dest, counts));
                    }
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        VerificationResult first = null;
                        for (CompletableFuture<VerificationResult> r : each) {
                            if (r.join().passed()) {
                                return r.join();
                            }
                            first = first == null ? r.join() : first;
                        }
                        return first != null ? first : VerificationResult.failed(VerificationFailure.NO_IDENTITY);
                    });
                }).thenApply(r -> new Verification.Checked(Verification.Source.CPS, "shaken", r));
    }

    /** One PASSporT from the CPS: opened if sealed (else its own failure, counted), then verified. */
    private CompletableFuture<VerificationResult> retrieved(String token, String orig, String dest,
                                                            ProxyCounters counts) {
        String passport = token;
        if (PassportEnvelope.isSealed(token)) {
            passport = outOfBand.opener() == null ? null : outOfBand.opener().open(token);
            if (passport == null) {
                counts.count(ProxyCounters.Event.OOB_UNDECRYPTABLE);
                return CompletableFuture.completedFuture(
                        VerificationResult.failed(VerificationFailure.PASSPORT_UNDECRYPTABLE));
            }
        }
        return nested(passport, orig, dest, maxPassports, counts);
    }

    /**
     * {@code passport} verified for the call from {@code orig} to {@code dest}: a SHAKEN PASSporT as it is; a
     * div-o (RFC 8946 section 6, a diverted call published out of band) as a div, then the PASSporT in its
     * {@code opt} claim for the number it was diverted from, each nesting level counting toward {@code left}
     * (maxPassportsPerCall): the result is the innermost SHAKEN PASSporT's, or the first failure.
     */
    private CompletableFuture<VerificationResult> nested(String passport, String orig, String dest, int left,
                                                         ProxyCounters counts) {
        Passport p = PARSER.parse(passport).passport();
        String x5u = p == null ? null : p.x5u();
        if (p == null || !"div-o".equals(p.ppt())) {
            return verifier.verify(new PassportVerifier.Request(passport, x5u, "ES256", "shaken", orig,
                    List.of(dest), -1));
        }
        if (left <= 1) {
            counts.count(ProxyCounters.Event.PASSPORTS_OVER_LIMIT);
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.CLAIMS_MALFORMED));
        }
        return verifier.verifyDivO(new PassportVerifier.Request(passport, x5u, "ES256", "div-o", orig,
                List.of(dest), -1)).thenCompose(d -> {
                    counts.countPassport("div-o", d.failure());
                    return d.passed() ? nested((String) d.claims().get("opt"), orig, d.divTn(), left - 1, counts)
                            : CompletableFuture.completedFuture(d);
                });
    }

}
