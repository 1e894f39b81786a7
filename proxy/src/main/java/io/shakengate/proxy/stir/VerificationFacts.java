package io.shakengate.proxy.stir;

import java.util.List;

/**
 * What a front knows about a call arriving, in the terms of the verification service: its Identity header
 * values (none for a call that crossed TDM), its canonical numbers and its Date.
 *
 * @param point      the listening point's name, whose verification policy applies ("api" for the HTTP API)
 * @param identities the call's Identity header values, in order (empty if none)
 * @param orig       the canonical calling number, or null
 * @param dest       the canonical called numbers (may be empty)
 * @param date       the SIP Date (the API's {@code time}) in epoch seconds, or -1 when absent
 * @param target     the address the call goes to as text (a SIP Request-URI, {@code urn:service:sos}), or null
 * @param priorities the request's Resource-Priority values ({@code ets.0}), RFC 4412; may be empty
 * @param callId     the SIP Call-ID (for the decision log), or null (the HTTP API)
 */
public record VerificationFacts(String point, List<Identity> identities, String orig, List<String> dest, long date,
                                String target, List<String> priorities, String callId) {
    /** Facts without a Call-ID. */
    public VerificationFacts(String point, List<Identity> identities, String orig, List<String> dest, long date,
                             String target, List<String> priorities) {
        this(point, identities, orig, dest, date, target, priorities, null);
    }

    /** Facts without a target or Resource-Priority. */
    public VerificationFacts(String point, List<Identity> identities, String orig, List<String> dest, long date) {
        this(point, identities, orig, dest, date, null, List.of(), null);
    }

    /**
     * One Identity header value (RFC 8224 section 4).
     *
     * @param token the PASSporT (full form {@code header.payload.signature}, or compact {@code ..signature})
     * @param info  the {@code info} URL, or null
     * @param alg   the {@code alg} parameter, or null
     * @param ppt   the {@code ppt} parameter, or null
     */
    public record Identity(String token, String info, String alg, String ppt) {
        /** Whether the token is the compact form, which SHAKEN does not use. */
        public boolean compact() {
            return token != null && token.startsWith("..");
        }
    }

    /** Copies the lists. */
    public VerificationFacts {
        identities = identities == null ? List.of() : List.copyOf(identities);
        dest = dest == null ? List.of() : List.copyOf(dest);
        priorities = priorities == null ? List.of() : List.copyOf(priorities);
    }
}
