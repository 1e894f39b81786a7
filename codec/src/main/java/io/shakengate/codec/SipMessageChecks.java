package io.shakengate.codec;

/**
 * The checks a proxy makes before acting on a message that framed correctly (RFC 3261 sections 8.1.1 and
 * 16.3): the mandatory headers are present and parse, the CSeq method matches the request method, the
 * Request-URI parses and carries no escaped headers. Each failure is a {@link SipParseError}, answered with
 * its {@link SipParseError#status()} for a request and dropped for a response.
 */
public final class SipMessageChecks {
    private SipMessageChecks() {
    }

    /** Null if {@code msg} passes, else what is wrong. Never throws on malformed input. */
    public static SipParseError check(SipMessage msg) {
        try {
            if (msg.topVia() == null || msg.from() == null || msg.to() == null || msg.callId() == null
                    || msg.cseq() == null) {
                return SipParseError.MANDATORY_HEADER_MISSING;
            }
            msg.from().uri();
            msg.to().uri();
            msg.maxForwards();
            if (msg.isRequest()) {
                if (!msg.cseq().methodName().equals(msg.methodName())) {
                    return SipParseError.CSEQ_METHOD_MISMATCH;
                }
                msg.contacts();
                msg.routes();
                SipUri ruri = msg.requestUri();
                if (ruri.hasHeaders()) {
                    return SipParseError.REQUEST_URI_HAS_HEADERS;
                }
            }
            return null;
        } catch (SipParseException e) {
            return e.error();
        }
    }
}
