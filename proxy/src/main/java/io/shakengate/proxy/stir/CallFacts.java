package io.shakengate.proxy.stir;

import java.net.InetAddress;
import java.util.List;

/**
 * What a front knows about a call leaving the network, in the terms of the authentication service: nothing
 * here is SIP or HTTP. Numbers are canonical (RFC 8224 section 8.3) or null when the front found none.
 *
 * @param front                 which front asks (the HTTP API's request names its attestation, ATIS-1000082)
 * @param source                the address the request came from (rules match on it), or null
 * @param point                 the listening point's name ("api" for the HTTP API)
 * @param trunk                 the trunk the call arrived on, or null
 * @param calling               the calling number, or null
 * @param called                the called numbers (the first is the one rules and the CPS use); may be empty
 * @param requestedAttestation  the attestation the request names (SIP Attestation-Info, the API's {@code attest}),
 *                              or null; used where the matching rule trusts it (always for the API)
 * @param requestedOrigid       the origid the request names (Origination-Id, the API's {@code origid}), or null
 * @param iat                   the PASSporT's iat (epoch seconds), or -1 for now
 * @param identityPresent       whether the request already carries an Identity header (kept, not signed again)
 * @param target                the address the call goes to as text (Request-URI, {@code urn:service:sos}), or null
 * @param diversion             the canonical number the call was first addressed to, when it was diverted
 *                              (SIP Diversion, RFC 5806), or null
 * @param priorities            the request's Resource-Priority values ({@code ets.0}, RFC 4412); may be empty
 * @param callId                the SIP Call-ID (for the decision log), or null (the HTTP API)
 */
public record CallFacts(Front front, InetAddress source, String point, String trunk, String calling,
                        List<String> called, String requestedAttestation, String requestedOrigid, long iat,
                        boolean identityPresent, String target, String diversion, List<String> priorities,
                        String callId) {
    /** Facts without a Call-ID. */
    public CallFacts(Front front, InetAddress source, String point, String trunk, String calling,
                     List<String> called, String requestedAttestation, String requestedOrigid, long iat,
                     boolean identityPresent, String target, String diversion, List<String> priorities) {
        this(front, source, point, trunk, calling, called, requestedAttestation, requestedOrigid, iat,
                identityPresent, target, diversion, priorities, null);
    }

    /** Facts without a target, diversion or Resource-Priority. */
    public CallFacts(Front front, InetAddress source, String point, String trunk, String calling,
                     List<String> called, String requestedAttestation, String requestedOrigid, long iat,
                     boolean identityPresent) {
        this(front, source, point, trunk, calling, called, requestedAttestation, requestedOrigid, iat,
                identityPresent, null, null, List.of(), null);
    }

    /** The fronts that ask the services. */
    public enum Front {
        /** A SIP listening point (proxy or redirect). */
        SIP,
        /** The HTTP signing/verification API. */
        API
    }

    /** Copies the list. */
    public CallFacts {
        called = called == null ? List.of() : List.copyOf(called);
        priorities = priorities == null ? List.of() : List.copyOf(priorities);
    }

    /** The called number rules and the CPS use: the first, or null. */
    public String firstCalled() {
        return called.isEmpty() ? null : called.get(0);
    }
}
