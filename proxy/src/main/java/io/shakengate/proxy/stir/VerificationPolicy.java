package io.shakengate.proxy.stir;

import io.shakengate.crypto.VerificationFailure;

import java.util.EnumMap;
import java.util.Map;

/**
 * What the verification service does with each outcome class (the ClearIP "Verification Policies" idea):
 * forward with verstat (the default for every class), forward unchanged, forward with verstat and a
 * {@code Reason: STIR} header (RFC 9410), reject with the RFC 8224 code and reason phrase, or block with
 * 603 Decline or 608 Rejected.
 */
public final class VerificationPolicy {
    /** Outcome classes. */
    public enum OutcomeClass {
        /** The INVITE has no SHAKEN Identity header. */
        NO_IDENTITY,
        /** The Identity header or PASSporT is malformed or unsupported (436/438 family, not a mismatch). */
        INVALID_HEADER,
        /** The certificate could not be fetched or does not validate (or the per-call budget ran out). */
        CERTIFICATE_ERROR,
        /** The signature does not verify. */
        SIGNATURE_FAILURE,
        /** Date or iat outside the freshness window. */
        STALE,
        /** orig or dest do not match the request. */
        NUMBER_MISMATCH,
        /** Verified. */
        PASSED
    }

    /** Actions. */
    public enum Action {
        /** Forward with verstat on PAI (else From). */
        FORWARD_VERSTAT,
        /** Forward without touching the request. */
        FORWARD_UNCHANGED,
        /** Forward with verstat and a Reason: STIR header naming the failure. */
        FORWARD_WITH_REASON,
        /** Answer with the RFC 8224 code of the failure (403, 428, 436, 437, 438). */
        REJECT,
        /** Answer 603 Decline. */
        BLOCK_603,
        /** Answer 608 Rejected (RFC 8688). */
        BLOCK_608
    }

    /**
     * Headers that carry the verification's details to the softswitch on a forwarded INVITE (names, or null for
     * none): the attestation and origid of a PASSporT that passed, and the signer's SPC when its certificate
     * validated; the outcome of the call's div and rcd PASSporTs ({@code passed} or the failure's name in lower
     * case, e.g. {@code div_unchained}, {@code rcdi_mismatch}; absent when the call has none). Headers of these
     * names arriving from upstream are always removed, so nobody upstream can claim an attestation.
     */
    public record ResultHeaders(String attestation, String spc, String origid, String div, String rcd) {
        /** None. */
        public static final ResultHeaders NONE = new ResultHeaders(null, null, null, null, null);

        /** The three SHAKEN result headers, none for div and rcd. */
        public ResultHeaders(String attestation, String spc, String origid) {
            this(attestation, spc, origid, null, null);
        }

        /** True if no header is configured. */
        public boolean none() {
            return attestation == null && spc == null && origid == null && div == null && rcd == null;
        }

        /** Whether {@code name} is one of the configured headers (any case). */
        public boolean names(String name) {
            return name.equalsIgnoreCase(attestation) || name.equalsIgnoreCase(spc) || name.equalsIgnoreCase(origid)
                    || name.equalsIgnoreCase(div) || name.equalsIgnoreCase(rcd);
        }
    }

    private final Map<OutcomeClass, Action> actions;
    private final ResultHeaders resultHeaders;

    private VerificationPolicy(Map<OutcomeClass, Action> actions, ResultHeaders resultHeaders) {
        this.actions = actions;
        this.resultHeaders = resultHeaders;
    }

    /** Every class forwarded with verstat. */
    public static VerificationPolicy defaults() {
        return new VerificationPolicy(new EnumMap<>(OutcomeClass.class), ResultHeaders.NONE);
    }

    /** A copy with {@code action} for {@code outcome}. */
    public VerificationPolicy with(OutcomeClass outcome, Action action) {
        Map<OutcomeClass, Action> copy = new EnumMap<>(OutcomeClass.class);
        copy.putAll(actions);
        copy.put(outcome, action);
        return new VerificationPolicy(copy, resultHeaders);
    }

    /** A copy that puts the verification's details into {@code headers}. */
    public VerificationPolicy withResultHeaders(ResultHeaders headers) {
        return new VerificationPolicy(actions, headers);
    }

    /** The headers for the verification's details. */
    public ResultHeaders resultHeaders() {
        return resultHeaders;
    }

    /** The action for {@code outcome}. */
    public Action action(OutcomeClass outcome) {
        return actions.getOrDefault(outcome, Action.FORWARD_VERSTAT);
    }

    /** The class of a verification failure (null = passed). */
    public static OutcomeClass classify(VerificationFailure f) {
        if (f == null) {
            return OutcomeClass.PASSED;
        }
        return switch (f) {
            case NO_IDENTITY -> OutcomeClass.NO_IDENTITY;
            case CERT_FETCH_FAILED, CERT_UNTRUSTED, CERT_EXPIRED, CERT_NOT_YET_VALID, CERT_NO_TNAUTHLIST,
                 CERT_PROFILE_VIOLATION, CERT_REVOKED -> OutcomeClass.CERTIFICATE_ERROR;
            case SIGNATURE_INVALID -> OutcomeClass.SIGNATURE_FAILURE;
            case DATE_STALE, IAT_STALE, IAT_IN_FUTURE -> OutcomeClass.STALE;
            case ORIG_MISMATCH, DEST_MISMATCH -> OutcomeClass.NUMBER_MISMATCH;
            default -> OutcomeClass.INVALID_HEADER;
        };
    }
}
