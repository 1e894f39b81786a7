package io.shakengate.proxy.stir;

import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.proxy.metrics.ProxyCounters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The call's outcome from its PASSporTs' results (the rules of {@link VerificationService}): the deciding SHAKEN
 * result, the div chain from it to the number the call is for now, the verified Rich Call Data, the priority's
 * standing; then the verification policy's action, an emergency call never refused, and the answer to a
 * refusal. Counts each PASSporT's result. Immutable and thread-safe.
 */
final class CallOutcome {
    /** The entry of a check that did not apply (a SHAKEN PASSporT without rcdi claims): left out of the call's. */
    static final Verification.Checked NO_CHECK = new Verification.Checked(Verification.Source.IN_BAND, null,
            VerificationResult.failed(VerificationFailure.NO_IDENTITY));

    private final VerificationPolicy policy;
    private final Map<String, VerificationPolicy> pointPolicies;
    private final Family family;

    CallOutcome(VerificationPolicy policy, Map<String, VerificationPolicy> pointPolicies, Family family) {
        this.policy = policy;
        this.pointPolicies = Map.copyOf(pointPolicies);
        this.family = family;
    }

    /** These policies with the family settings {@code f}. */
    CallOutcome withFamily(Family f) {
        return new CallOutcome(policy, pointPolicies, f);
    }

    /** The verification policy of point {@code point} (the default for a point without its own). */
    VerificationPolicy policy(String point) {
        VerificationPolicy p = pointPolicies.get(point);
        return p != null ? p : policy;
    }

    /**
     * The call's verification from {@code checks} (its div PASSporTs' before {@code firstShaken}, its SHAKEN
     * ones' and the CPS's before {@code firstFamily}, its rcd and rph ones' after).
     */
    Verification combine(VerificationFacts f, boolean emergency, List<CompletableFuture<Verification.Checked>> checks,
                         int firstShaken, int firstFamily, ProxyCounters counts) {
        List<Verification.Checked> all = new ArrayList<>(checks.size());
        for (CompletableFuture<Verification.Checked> c : checks) {
            Verification.Checked k = c.getNow(null);
            if (k == NO_CHECK) {
                continue; // only among the family's entries, after every index this reads
            }
            all.add(k != null && !c.isCompletedExceptionally() ? k : new Verification.Checked(
                    Verification.Source.IN_BAND, null, VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED)));
        }
        VerificationResult decided = null;
        for (int i = firstShaken; i < firstFamily && decided == null; i++) {
            if (all.get(i).result().passed()) {
                decided = all.get(i).result();
            }
        }
        if (decided == null && firstShaken < firstFamily) {
            decided = all.get(firstShaken).result(); // the first in-band failure, else the CPS's
        }
        if (decided == null) {
            decided = VerificationResult.failed(VerificationFailure.NO_IDENTITY);
        }
        if (decided.passed() && firstShaken > 0) {
            java.util.Set<String> reached = FamilyChecks.chain(all, 0, firstShaken,
                    FamilyChecks.dests(decided.claims()));
            if (java.util.Collections.disjoint(reached, f.dest())) {
                // the SHAKEN PASSporT names an earlier number, and no chain of verified div PASSporTs leads from
                // it to the number the call is for now
                decided = VerificationResult.failed(VerificationFailure.DEST_MISMATCH);
            }
        }
        RichCallData rcd = null;
        boolean anyRph = false;
        boolean rphPassed = false;
        boolean rcdFailed = false;
        for (int i = firstFamily; i < all.size(); i++) {
            Verification.Checked c = all.get(i);
            rcdFailed |= "rcd".equals(c.ppt()) && !c.result().passed();
            if ("rcd".equals(c.ppt()) && rcd == null && c.result().passed() && decided.passed()) {
                rcd = RichCallData.of(c.result().claims());
            } else if ("rph".equals(c.ppt())) {
                anyRph = true;
                rphPassed |= c.result().passed();
            }
        }
        if (rcd == null && decided.passed() && !rcdFailed) {
            rcd = RichCallData.of(decided.claims()); // rcd claims in the SHAKEN PASSporT (RFC 9795 section 5)
        }
        for (int i = 0; i < all.size(); i++) {
            Verification.Checked c = all.get(i);
            counts.countPassport(c.ppt(), c.result().failure());
            if (i < firstShaken || i >= firstFamily) {
                counts.count(c.result().passed() ? ProxyCounters.Event.FAMILY_PASSED
                        : ProxyCounters.Event.FAMILY_FAILED);
            }
        }
        Verification.Priority priority = !anyRph ? Verification.Priority.NONE
                : rphPassed ? Verification.Priority.VERIFIED : Verification.Priority.FAILED;
        return decide(f, emergency, all, decided, false, rcd, priority, counts);
    }

    /** The policy's action on {@code r}, an emergency call never refused, and the answer to a refusal. */
    Verification decide(VerificationFacts f, boolean emergency, List<Verification.Checked> checked,
                        VerificationResult r, boolean timedOut, RichCallData rcd, Verification.Priority priority,
                        ProxyCounters counts) {
        VerificationPolicy.OutcomeClass c = VerificationPolicy.classify(r.failure());
        VerificationPolicy.Action action = policy(f.point()).action(c);
        Refusal refusal = refusal(action, r.failure());
        if (refusal != null && emergency) {
            counts.count(ProxyCounters.Event.EMERGENCY_NOT_REFUSED);
            action = VerificationPolicy.Action.FORWARD_VERSTAT;
            refusal = null;
        }
        if (refusal != null && refusal.kind() != Refusal.Kind.STIR) {
            counts.count(refusal.kind() == Refusal.Kind.REJECTED_608 ? ProxyCounters.Event.BLOCKED_608
                    : ProxyCounters.Event.BLOCKED_ANALYTICS);
        }
        return new Verification(checked, r, c, action, timedOut ? VerificationFailure.VERSTAT_NONE : r.verstat(),
                timedOut, refusal, rcd, priority, emergency);
    }

    /** How {@code action} answers a call whose deciding failure is {@code f} (null: passed), or null. */
    private Refusal refusal(VerificationPolicy.Action action, VerificationFailure f) {
        return switch (action) {
            case REJECT -> f == null ? new Refusal(403, "Forbidden", List.of(), Refusal.Kind.STIR)
                    : new Refusal(f.sipStatus(), f.reasonPhrase(), List.of(new Refusal.Header("Reason",
                    f.reasonHeader())), Refusal.Kind.STIR);
            case BLOCK_603 -> family.blocking().analytics();
            case BLOCK_608 -> family.blocking().rejected();
            default -> null;
        };
    }

}
