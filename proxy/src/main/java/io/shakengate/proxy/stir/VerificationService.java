package io.shakengate.proxy.stir;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.cps.PassportEnvelope;
import io.shakengate.crypto.passport.Passport;
import io.shakengate.crypto.passport.PassportParser;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.proxy.cps.CpsClient;
import io.shakengate.proxy.metrics.ProxyCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The STIR verification service (RFC 8224 section 6.2, ATIS-1000074 section 5.3): every PASSporT a call
 * carries, and those the Call Placement Service holds for it, verified; the call's result, outcome class and
 * the verification policy's action. Every front (SIP proxy, SIP redirect, HTTP API) asks this one.
 *
 * <p>Which PASSporTs count, in order (at most {@link #maxPassports} Identity values are looked at):
 * <ul>
 *   <li>{@code ppt=div} (RFC 8946): each verified first; one that passes adds its original called number to
 *       the numbers the SHAKEN PASSporT may name as {@code dest};</li>
 *   <li>{@code ppt=shaken}: each verified; the first that passes decides;</li>
 *   <li>when there is no {@code ppt=shaken} value, the first value of no known PASSporT type (no {@code ppt},
 *       or an unknown one) is verified as SHAKEN, so that it fails with its own 438 rather than pass as an
 *       absent header; {@code rcd} and {@code rph} values alone are not SHAKEN: the call has no SHAKEN
 *       PASSporT (NO_IDENTITY);</li>
 *   <li>out of band ({@link Retrieval}): the CPS's PASSporTs for (orig, first dest), opened when sealed to this
 *       appliance ({@link PassportEnvelope}), each verified as in band with its own x5u as info; a {@code div-o}
 *       (RFC 8946 section 6) verified as a div, then the PASSporT in its {@code opt} claim for the number the
 *       call was diverted from (nested div-o too, each level counting toward {@link #maxPassports}).</li>
 * </ul>
 * The deciding result is the first that passed, else the first in-band failure, else the first out-of-band
 * failure, else NO_IDENTITY.
 *
 * <p>Asynchronous where it waits: the future is complete at once when every certificate is cached (no CPS
 * lookup); otherwise it completes on the fetcher's or the timer's thread. The per-call budget runs on the
 * caller's timer (an event loop): when it runs out the answer is the fallback, CERT_FETCH_FAILED with
 * No-TN-Validation. Never completes exceptionally. Immutable and thread-safe.
 */
public final class VerificationService {
    /** The most Identity header values one call may have looked at. */
    public static final int DEFAULT_MAX_PASSPORTS = 8;
    private static final PassportParser PARSER = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);

    /**
     * Out-of-band retrieval.
     *
     * @param client      the CPS client
     * @param retrieval   when calls are looked up
     * @param tokenSigner signs the CPS bearer tokens (the appliance's SHAKEN key)
     * @param opener      opens PASSporTs sealed to this appliance, or null (then a sealed one fails)
     */
    public record OutOfBand(CpsClient client, Retrieval retrieval, PassportSigner tokenSigner,
                            PassportEnvelope.Opener opener) {
    }

    private final PassportVerifier verifier;
    private final long budgetMillis;
    private final OutOfBand outOfBand;
    private final CpsVerification cps;
    private final CallOutcome outcome;
    private final int maxPassports;
    private final Family family;
    private final FamilyChecks checks;
    private final Decisions decisions;

    /**
     * A service verifying with {@code verifier} within {@code budgetMillis} per call, acting by {@code policy}
     * (or a point's own from {@code pointPolicies}); {@code outOfBand} null for no CPS retrieval.
     */
    public VerificationService(PassportVerifier verifier, long budgetMillis, VerificationPolicy policy,
                               Map<String, VerificationPolicy> pointPolicies, OutOfBand outOfBand, int maxPassports) {
        if (maxPassports < 1) {
            throw new IllegalArgumentException("maxPassports must be at least 1: " + maxPassports);
        }
        this.verifier = verifier;
        this.budgetMillis = budgetMillis;
        this.outOfBand = outOfBand;
        this.cps = outOfBand == null ? null : new CpsVerification(outOfBand, verifier, budgetMillis, maxPassports);
        this.maxPassports = maxPassports;
        this.family = Family.DEFAULT;
        this.outcome = new CallOutcome(policy, pointPolicies, family);
        this.checks = new FamilyChecks(null, verifier.config());
        this.decisions = Decisions.NONE;
    }

    private VerificationService(VerificationService base, Family family, Decisions decisions) {
        this.verifier = base.verifier;
        this.budgetMillis = base.budgetMillis;
        this.outOfBand = base.outOfBand;
        this.cps = base.cps;
        this.maxPassports = base.maxPassports;
        this.family = family;
        this.outcome = base.outcome.withFamily(family);
        this.checks = new FamilyChecks(family.rcdContent(), verifier.config());
        this.decisions = decisions;
    }

    /** This service with the family settings {@code family}. */
    public VerificationService withFamily(Family family) {
        return new VerificationService(this, family, decisions);
    }

    /** This service reporting each verification to {@code d} (the decision log). */
    public VerificationService withDecisions(Decisions d) {
        return new VerificationService(this, family, d);
    }

    /** The family settings. */
    public Family family() {
        return family;
    }

    /** The verifier. */
    public PassportVerifier verifier() {
        return verifier;
    }

    /** The per-call budget. */
    public long budgetMillis() {
        return budgetMillis;
    }

    /** Out-of-band retrieval, or null. */
    public OutOfBand outOfBand() {
        return outOfBand;
    }

    /** The verification policy of point {@code point} (the default for a point without its own). */
    public VerificationPolicy policy(String point) {
        return outcome.policy(point);
    }

    /** Whether a call without any Identity value is looked up in the CPS. */
    public boolean retrievesWithoutIdentity() {
        return outOfBand != null && outOfBand.tokenSigner() != null && outOfBand.retrieval() != Retrieval.OFF;
    }

    /**
     * Verifies the call {@code f}: the future completes with its verification, at the latest when the budget
     * runs out on {@code timer}; counted in {@code counts}.
     */
    public CompletableFuture<Verification> verify(VerificationFacts f, ScheduledExecutorService timer,
                                                  ProxyCounters counts) {
        List<VerificationFacts.Identity> divs = new ArrayList<>(0);
        List<VerificationFacts.Identity> shaken = new ArrayList<>(1);
        List<VerificationFacts.Identity> rcds = new ArrayList<>(0);
        List<VerificationFacts.Identity> rphs = new ArrayList<>(0);
        VerificationFacts.Identity other = null;
        List<VerificationFacts.Identity> ids = f.identities();
        if (ids.size() > maxPassports) {
            counts.count(ProxyCounters.Event.PASSPORTS_OVER_LIMIT);
        }
        for (int i = 0; i < ids.size() && i < maxPassports; i++) {
            VerificationFacts.Identity id = ids.get(i);
            String ppt = id.ppt();
            if ("shaken".equals(ppt)) {
                shaken.add(id);
            } else if ("div".equals(ppt)) {
                divs.add(id);
            } else if ("rcd".equals(ppt)) {
                rcds.add(id);
            } else if ("rph".equals(ppt)) {
                rphs.add(id);
            } else {
                if (ppt != null) {
                    counts.count(ProxyCounters.Event.PPT_UNKNOWN);
                }
                other = other == null ? id : other;
            }
        }
        if (shaken.isEmpty() && other != null) {
            shaken.add(other);
        }
        boolean emergency = family.emergency().matches(f.dest(), f.target());
        if (emergency) {
            counts.count(ProxyCounters.Event.EMERGENCY_CALL);
        }
        boolean retrieve = outOfBand != null && outOfBand.tokenSigner() != null && f.orig() != null
                && !f.dest().isEmpty() && (outOfBand.retrieval() == Retrieval.ALWAYS
                || (shaken.isEmpty() && outOfBand.retrieval() == Retrieval.WHEN_NO_IDENTITY));
        if (shaken.isEmpty() && !retrieve && rphs.isEmpty()) {
            Verification v = outcome.decide(f, emergency, List.of(), VerificationResult.failed(VerificationFailure.NO_IDENTITY),
                    false, null, Verification.Priority.NONE, counts);
            count(f, v, counts);
            return CompletableFuture.completedFuture(v);
        }
        List<CompletableFuture<Verification.Checked>> checked = new ArrayList<>(ids.size() + 1);
        CompletableFuture<List<String>> dests = divs.isEmpty() ? CompletableFuture.completedFuture(f.dest())
                : divDests(f, divs, checked);
        int firstShaken = checked.size();
        for (VerificationFacts.Identity id : shaken) {
            checked.add(dests.thenCompose(d -> inBand(f, id, d)));
        }
        if (retrieve) {
            checked.add(cps.verify(f, counts));
        }
        int firstFamily = checked.size();
        for (int i = 0; i < shaken.size(); i++) {
            // rcd claims with rcdi digests in a SHAKEN PASSporT (RFC 9795 section 5): the content checked as an
            // rcd PASSporT's is, its own entry (a mismatch drops the rcd, never the SHAKEN result); read from the
            // verified claims, the token parsed again only when it failed (a failure keeps no claims)
            VerificationFacts.Identity id = shaken.get(i);
            checked.add(checked.get(firstShaken + i).thenCompose(c -> {
                VerificationResult r = c.result();
                Map<String, Object> claims = r.passed() ? r.claims() : failedClaims(id);
                if (claims == null || !(claims.get("rcdi") instanceof Map<?, ?>)) {
                    return CompletableFuture.completedFuture(CallOutcome.NO_CHECK);
                }
                return (r.passed() ? checks.content(r) : CompletableFuture.completedFuture(r))
                        .thenApply(k -> new Verification.Checked(c.source(), "rcd", k));
            }));
        }
        for (VerificationFacts.Identity id : rcds) {
            checked.add(dests.thenCompose(d -> family(f, id, d, "rcd")));
        }
        for (VerificationFacts.Identity id : rphs) {
            checked.add(family(f, id, f.dest(), "rph"));
        }
        CompletableFuture<Verification> done = CompletableFuture.allOf(checked.toArray(CompletableFuture[]::new))
                .handle((v, e) -> outcome.combine(f, emergency, checked, firstShaken, firstFamily, counts));
        if (done.isDone()) {
            Verification v = done.join();
            count(f, v, counts);
            return done;
        }
        return budgeted(f, emergency, done, timer, counts);
    }

    /**
     * The div PASSporTs verified (their checks appended to {@code checks}): each may name as {@code dest} the
     * request's number or the original number another div of the call vouches for (a multi-hop chain, checked
     * after, {@link FamilyChecks#chain}); completes with the numbers the SHAKEN PASSporT may name.
     */
    private CompletableFuture<List<String>> divDests(VerificationFacts f, List<VerificationFacts.Identity> divs,
                                                     List<CompletableFuture<Verification.Checked>> checks) {
        List<String> reachable = new ArrayList<>(f.dest());
        for (int i = 0; i < divs.size() && divs.size() > 1; i++) { // one div: its dest is the request's number
            VerificationFacts.Identity id = divs.get(i);
            Passport p = id.token() == null ? null : PARSER.parse(id.token()).passport();
            if (p != null && p.divTn() != null && !reachable.contains(p.divTn())) {
                reachable.add(p.divTn());
            }
        }
        List<CompletableFuture<Verification.Checked>> own = new ArrayList<>(divs.size());
        for (VerificationFacts.Identity id : divs) {
            own.add(verifier.verifyDiv(request(id, f.orig(), reachable, f.date()))
                    .thenApply(r -> new Verification.Checked(Verification.Source.IN_BAND, "div", r)));
        }
        checks.addAll(own);
        return CompletableFuture.allOf(own.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            List<String> d = new ArrayList<>(f.dest());
            for (CompletableFuture<Verification.Checked> c : own) {
                VerificationResult r = c.getNow(null) == null ? null : c.join().result();
                if (r != null && r.passed() && r.divTn() != null && !d.contains(r.divTn())) {
                    d.add(r.divTn());
                }
            }
            return d;
        });
    }

    /**
     * An rcd PASSporT (verified, then its rcdi content checked) or an rph PASSporT (verified, then its
     * {@code rph.auth} compared with the request's Resource-Priority values, each of which must be in it and in
     * an authorised namespace).
     */
    private CompletableFuture<Verification.Checked> family(VerificationFacts f, VerificationFacts.Identity id,
                                                           List<String> dest, String ppt) {
        PassportVerifier.Request req = request(id, f.orig(), dest, f.date());
        CompletableFuture<VerificationResult> r;
        if (ppt.equals("rcd")) {
            r = verifier.verifyRcd(req).thenCompose(v -> v.passed() ? checks.content(v)
                    : CompletableFuture.completedFuture(v));
        } else {
            r = verifier.verifyRph(req).thenApply(v -> {
                if (!v.passed()) {
                    return v;
                }
                Object rph = v.claims().get("rph");
                List<?> auth = rph instanceof Map<?, ?> m && m.get("auth") instanceof List<?> l ? l : List.of();
                for (String asked : f.priorities()) {
                    if (!auth.contains(asked) || !family.authorised(asked)) {
                        return v.failing(VerificationFailure.RPH_UNAUTHORIZED);
                    }
                }
                return v;
            });
        }
        return r.thenApply(v -> new Verification.Checked(Verification.Source.IN_BAND, ppt, v));
    }

    private CompletableFuture<Verification.Checked> inBand(VerificationFacts f, VerificationFacts.Identity id,
                                                           List<String> dest) {
        CompletableFuture<VerificationResult> r;
        if (id.token() == null) {
            r = CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.PASSPORT_MALFORMED));
        } else if (id.compact()) {
            r = CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.PASSPORT_COMPACT_FORM));
        } else {
            r = verifier.verify(request(id, f.orig(), dest, f.date()));
        }
        return r.thenApply(v -> new Verification.Checked(Verification.Source.IN_BAND, id.ppt(), v));
    }

    /** The claims of a SHAKEN PASSporT that failed verification (parsed again), or null. */
    private static Map<String, Object> failedClaims(VerificationFacts.Identity id) {
        Passport p = id.token() == null ? null : PARSER.parse(id.token()).passport();
        return p == null ? null : p.claims();
    }

    private static PassportVerifier.Request request(VerificationFacts.Identity id, String orig, List<String> dest,
                                                    long date) {
        return new PassportVerifier.Request(id.token(), id.info(), id.alg(), id.ppt(), orig, dest, date);
    }

    /** {@code done}, or the fallback when the budget runs out first on {@code timer}. */
    private CompletableFuture<Verification> budgeted(VerificationFacts f, boolean emergency,
                                                     CompletableFuture<Verification> done,
                                                     ScheduledExecutorService timer, ProxyCounters counts) {
        CompletableFuture<Verification> out = new CompletableFuture<>();
        // decided once, and counted before the answer goes out (a front may answer within out.complete)
        java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable expire = () -> {
            if (decided.compareAndSet(false, true)) {
                counts.count(ProxyCounters.Event.VERIFY_TIMEOUT);
                Verification late = outcome.decide(f, emergency, List.of(),
                        VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED), true, null,
                        Verification.Priority.NONE, counts);
                decisions.verified(f, late, counts);
                counts.countFailedCall(late.failure());
                out.complete(late);
            }
        };
        java.util.concurrent.Future<?> timerTask;
        try {
            timerTask = timer.schedule(expire, budgetMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | NullPointerException e) {
            // no timer (the loop is stopping): the JDK's delayer keeps the promise of an answer
            timerTask = CompletableFuture.runAsync(expire,
                    CompletableFuture.delayedExecutor(budgetMillis, TimeUnit.MILLISECONDS));
        }
        java.util.concurrent.Future<?> t = timerTask;
        done.whenComplete((v, e) -> {
            t.cancel(false);
            if (v != null && decided.compareAndSet(false, true)) {
                count(f, v, counts);
                out.complete(v);
            }
        });
        return out;
    }

    private void count(VerificationFacts f, Verification v, ProxyCounters counts) {
        decisions.verified(f, v, counts);
        if (!v.passed() && v.failure() != null) {
            counts.countFailedCall(v.failure());
        }
        counts.count(v.passed() ? ProxyCounters.Event.VERIFIED_PASSED
                : v.outcome() == VerificationPolicy.OutcomeClass.NO_IDENTITY ? ProxyCounters.Event.VERIFY_NO_IDENTITY
                : ProxyCounters.Event.VERIFIED_FAILED);
    }
}
