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
import java.util.Set;
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
 *       appliance ({@link PassportEnvelope}), each verified as in band with its own x5u as info.</li>
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
    /** PASSporT types of the STIR family that are not SHAKEN and not div (not verified as SHAKEN). */
    private static final Set<String> FAMILY = Set.of("rcd", "rph");
    private static final PassportParser OOB_PARSER = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);

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
    private final VerificationPolicy policy;
    private final Map<String, VerificationPolicy> pointPolicies;
    private final OutOfBand outOfBand;
    private final int maxPassports;

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
        this.policy = policy;
        this.pointPolicies = Map.copyOf(pointPolicies);
        this.outOfBand = outOfBand;
        this.maxPassports = maxPassports;
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
        VerificationPolicy p = pointPolicies.get(point);
        return p != null ? p : policy;
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
        VerificationFacts.Identity other = null;
        List<VerificationFacts.Identity> ids = f.identities();
        for (int i = 0; i < ids.size() && i < maxPassports; i++) {
            VerificationFacts.Identity id = ids.get(i);
            String ppt = id.ppt();
            if ("shaken".equals(ppt)) {
                shaken.add(id);
            } else if ("div".equals(ppt)) {
                divs.add(id);
            } else if (other == null && (ppt == null || !FAMILY.contains(ppt))) {
                other = id;
            }
        }
        if (shaken.isEmpty() && other != null) {
            shaken.add(other);
        }
        boolean retrieve = outOfBand != null && outOfBand.tokenSigner() != null && f.orig() != null
                && !f.dest().isEmpty() && (outOfBand.retrieval() == Retrieval.ALWAYS
                || (shaken.isEmpty() && outOfBand.retrieval() == Retrieval.WHEN_NO_IDENTITY));
        if (shaken.isEmpty() && !retrieve) {
            Verification v = decide(f.point(), List.of(), VerificationResult.failed(VerificationFailure.NO_IDENTITY),
                    false);
            count(v, counts);
            return CompletableFuture.completedFuture(v);
        }
        List<CompletableFuture<Verification.Checked>> checks = new ArrayList<>(shaken.size() + divs.size() + 1);
        CompletableFuture<List<String>> dests = divs.isEmpty() ? CompletableFuture.completedFuture(f.dest())
                : divDests(f, divs, checks);
        int firstShaken = checks.size();
        for (VerificationFacts.Identity id : shaken) {
            checks.add(dests.thenCompose(d -> inBand(f, id, d)));
        }
        if (retrieve) {
            checks.add(outOfBand(f, counts));
        }
        CompletableFuture<Verification> done = CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                .handle((v, e) -> combine(f.point(), checks, firstShaken));
        if (done.isDone()) {
            Verification v = done.join();
            count(v, counts);
            return done;
        }
        return budgeted(f.point(), done, timer, counts);
    }

    /** The div PASSporTs verified (their checks appended to {@code checks}); the dest numbers they vouch for. */
    private CompletableFuture<List<String>> divDests(VerificationFacts f, List<VerificationFacts.Identity> divs,
                                                     List<CompletableFuture<Verification.Checked>> checks) {
        List<CompletableFuture<Verification.Checked>> own = new ArrayList<>(divs.size());
        for (VerificationFacts.Identity id : divs) {
            own.add(verifier.verifyDiv(request(id, f.orig(), f.dest(), f.date()))
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

    private static PassportVerifier.Request request(VerificationFacts.Identity id, String orig, List<String> dest,
                                                    long date) {
        return new PassportVerifier.Request(id.token(), id.info(), id.alg(), id.ppt(), orig, dest, date);
    }

    /**
     * The CPS's PASSporTs for the call, each opened when sealed and verified; completes with the one that
     * decides among them (the first that passed, else the first failure), or NO_IDENTITY when there are none.
     */
    private CompletableFuture<Verification.Checked> outOfBand(VerificationFacts f, ProxyCounters counts) {
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
        Passport p = OOB_PARSER.parse(passport).passport();
        String x5u = p == null ? null : p.x5u();
        return verifier.verify(new PassportVerifier.Request(passport, x5u, "ES256", "shaken", orig, List.of(dest),
                -1));
    }

    private Verification combine(String point, List<CompletableFuture<Verification.Checked>> checks, int firstShaken) {
        List<Verification.Checked> all = new ArrayList<>(checks.size());
        for (CompletableFuture<Verification.Checked> c : checks) {
            Verification.Checked k = c.getNow(null);
            all.add(k != null && !c.isCompletedExceptionally() ? k : new Verification.Checked(
                    Verification.Source.IN_BAND, null, VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED)));
        }
        VerificationResult decided = null;
        for (int i = firstShaken; i < all.size() && decided == null; i++) {
            if (all.get(i).result().passed()) {
                decided = all.get(i).result();
            }
        }
        if (decided == null && firstShaken < all.size()) {
            decided = all.get(firstShaken).result(); // the first in-band failure, else the CPS's
        }
        return decide(point, all, decided != null ? decided
                : VerificationResult.failed(VerificationFailure.NO_IDENTITY), false);
    }

    private Verification decide(String point, List<Verification.Checked> checked, VerificationResult r,
                                boolean timedOut) {
        VerificationPolicy.OutcomeClass c = VerificationPolicy.classify(r.failure());
        return new Verification(checked, r, c, policy(point).action(c),
                timedOut ? VerificationFailure.VERSTAT_NONE : r.verstat(), timedOut);
    }

    /** {@code done}, or the fallback when the budget runs out first on {@code timer}. */
    private CompletableFuture<Verification> budgeted(String point, CompletableFuture<Verification> done,
                                                     ScheduledExecutorService timer, ProxyCounters counts) {
        CompletableFuture<Verification> out = new CompletableFuture<>();
        Runnable expire = () -> {
            if (out.complete(decide(point, List.of(),
                    VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED), true))) {
                counts.count(ProxyCounters.Event.VERIFY_TIMEOUT);
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
            if (v != null && out.complete(v)) {
                count(v, counts);
            }
        });
        return out;
    }

    private static void count(Verification v, ProxyCounters counts) {
        counts.count(v.passed() ? ProxyCounters.Event.VERIFIED_PASSED
                : v.outcome() == VerificationPolicy.OutcomeClass.NO_IDENTITY ? ProxyCounters.Event.VERIFY_NO_IDENTITY
                : ProxyCounters.Event.VERIFIED_FAILED);
    }
}
