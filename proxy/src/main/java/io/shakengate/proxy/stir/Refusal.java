package io.shakengate.proxy.stir;

import java.util.List;

/**
 * How a call the STIR services refuse is answered: status, reason phrase and the headers that go with them,
 * as decided by the service. A SIP front writes it as it is; the HTTP API names it in its answer.
 *
 * @param status  the SIP status (403, 428, 436, 437, 438, 603, 608)
 * @param phrase  the reason phrase ({@code Network Blocked} for ATIS-1000099 603+)
 * @param headers name and value pairs, in order
 * @param kind    what kind of refusal it is (counted apart)
 */
public record Refusal(int status, String phrase, List<Header> headers, Kind kind) {
    /** A header of the answer. */
    public record Header(String name, String value) {
    }

    /** Kinds of refusal, counted apart. */
    public enum Kind {
        /** The RFC 8224 code of a verification failure (RFC 9410 Reason). */
        STIR,
        /** A block on analytics: ATIS-1000099 603+ (or 603 Decline without a redress contact configured). */
        ANALYTICS,
        /** A Do-Not-Originate block: 603 Decline, not 603+ (deterministic, ATIS-1000099 scope). */
        DNO,
        /** 608 Rejected (RFC 8688), with its jwscard Call-Info where configured. */
        REJECTED_608
    }

    /** Copies the list. */
    public Refusal {
        headers = List.copyOf(headers);
    }
}
