package io.shakengate.codec;


/**
 * One Reason value (RFC 3326, RFC 9410 for STIR): {@code protocol *( SEMI reason-params )}.
 *
 * @param protocol the protocol ("SIP", "Q.850", "STIR")
 * @param cause    the cause parameter, or -1
 * @param text     the text parameter unquoted, or null
 */
public record ReasonHeader(String protocol, int cause, String text) {

    static ReasonHeader parse(byte[] buf, int base, int s, int e) {
        int p = s;
        while (p < e && Ascii.isToken(buf[p])) {
            p++;
        }
        if (p == s) {
            throw new SipParseException(SipParseError.REASON_INVALID, s - base);
        }
        if (SipScan.findParam(buf, p, e, null) == SipScan.MALFORMED) {
            throw new SipParseException(SipParseError.REASON_INVALID, p - base);
        }
        long c = SipScan.findParam(buf, p, e, "cause");
        int cause = c < 0 ? -1 : (int) Ascii.parseDecimal(buf, SipScan.start(c), SipScan.end(c), 65535);
        long t = SipScan.findParam(buf, p, e, "text");
        String text = t < 0 ? null : SipScan.unquote(buf, SipScan.start(t), SipScan.end(t));
        return new ReasonHeader(Ascii.latin1(buf, s, p), cause, text);
    }
}
