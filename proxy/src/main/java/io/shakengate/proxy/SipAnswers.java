package io.shakengate.proxy;

import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipResponses;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationPolicy;

/** The SIP answers of the STIR services' refusals, shared by the proxy and redirect fronts. */
final class SipAnswers {
    private SipAnswers() {
    }

    /** An authentication rule blocks the call: 603 Decline. */
    static SipResponses blocked(SipMessage m) {
        return SipResponses.to(m, 603, "Decline");
    }

    /** Whether the verification's action answers the INVITE instead of passing it on. */
    static boolean refuses(Verification v) {
        return v.action() == VerificationPolicy.Action.REJECT || v.action() == VerificationPolicy.Action.BLOCK_603
                || v.action() == VerificationPolicy.Action.BLOCK_608;
    }

    /**
     * The refusal of a verification whose action {@link #refuses}: the RFC 8224 code and reason phrase with the
     * RFC 9410 Reason (403 for a policy that rejects passed calls), 603 Decline, or 608 Rejected (RFC 8688).
     */
    static SipResponses refusal(SipMessage m, Verification v) {
        VerificationFailure f = v.failure();
        return switch (v.action()) {
            case BLOCK_603 -> SipResponses.to(m, 603, "Decline");
            case BLOCK_608 -> SipResponses.to(m, 608, "Rejected");
            default -> f == null ? SipResponses.to(m, 403, "Forbidden")
                    : SipResponses.to(m, f.sipStatus(), f.reasonPhrase()).header("Reason", f.reasonHeader());
        };
    }
}
