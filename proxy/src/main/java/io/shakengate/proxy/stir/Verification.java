package io.shakengate.proxy.stir;

import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;

import java.util.List;

/**
 * The verification service's answer for one call: every PASSporT it checked with its own result, the result
 * that decides the call, its outcome class, and the verification policy's action with the verstat, RFC 8224
 * status and RFC 9410 Reason that go with it. Fronts translate this into their own answer and decide nothing.
 *
 * @param passports every PASSporT checked (in band, then from the CPS), each with its result
 * @param result    the deciding result: the first that passed, else the first in-band failure, else the
 *                  first out-of-band failure, else NO_IDENTITY
 * @param outcome   the outcome class of {@code result}
 * @param action    what the policy of the point does with that class
 * @param verstat   the verstat value for the call (No-TN-Validation when the budget ran out)
 * @param timedOut  whether the per-call budget ran out before the certificate (or CPS) answered
 * @param refusal   how the call is answered when the action refuses it, else null (forwarded)
 * @param rcd       the verified Rich Call Data to present (an rcd PASSporT, or rcd claims of the SHAKEN one,
 *                  that passed with the SHAKEN PASSporT), or null
 * @param priority  what the call's rph PASSporTs say of its Resource-Priority
 * @param emergency whether it is an emergency call (then never refused)
 */
public record Verification(List<Checked> passports, VerificationResult result,
                           VerificationPolicy.OutcomeClass outcome, VerificationPolicy.Action action, String verstat,
                           boolean timedOut, Refusal refusal, io.shakengate.crypto.passport.RichCallData rcd,
                           Priority priority, boolean emergency) {
    /** What the rph PASSporTs (RFC 8443) say of the request's Resource-Priority. */
    public enum Priority {
        /** No rph PASSporT: Resource-Priority is left as it is. */
        NONE,
        /** An rph PASSporT verified and authorises every Resource-Priority value (authorised by policy). */
        VERIFIED,
        /** rph PASSporTs were present and none authorises it: Resource-Priority is removed (ATIS-1000078). */
        FAILED
    }

    /** The first checked PASSporT of type {@code ppt}, or null. */
    public Checked first(String ppt) {
        for (Checked c : passports) {
            if (ppt.equals(c.ppt())) {
                return c;
            }
        }
        return null;
    }
    /** Where a checked PASSporT came from. */
    public enum Source {
        /** An Identity header of the call. */
        IN_BAND,
        /** The Call Placement Service. */
        CPS
    }

    /**
     * One PASSporT checked.
     *
     * @param source where it came from
     * @param ppt    its PASSporT type ({@code shaken}, {@code div}; the header's {@code ppt}, or null)
     * @param result its result
     */
    public record Checked(Source source, String ppt, VerificationResult result) {
    }

    /** Copies the list. */
    public Verification {
        passports = List.copyOf(passports);
    }

    /** Whether the call's PASSporT verified. */
    public boolean passed() {
        return result.passed();
    }

    /** The failure, or null when passed. */
    public VerificationFailure failure() {
        return result.failure();
    }

    /** The RFC 8224 status of the failure (0 when passed). */
    public int status() {
        return result.passed() ? 0 : result.failure().sipStatus();
    }

    /** The RFC 9410 Reason header value of the failure ({@code STIR;cause=...}), or null when passed. */
    public String reason() {
        return result.passed() ? null : result.failure().reasonHeader();
    }
}
