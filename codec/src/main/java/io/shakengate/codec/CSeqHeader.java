package io.shakengate.codec;


/**
 * CSeq (RFC 3261 section 20.16): a sequence number below 2**31 (section 8.1.1.5) and a method, with any
 * whitespace between them (RFC 4475 section 3.1.1.1 folds it across lines).
 *
 * @param number     the sequence number
 * @param method     the method, {@link SipMethod#OTHER} for extension methods
 * @param methodName the method as written
 */
public record CSeqHeader(long number, SipMethod method, String methodName) {

    static CSeqHeader parse(byte[] buf, int base, int s, int e) {
        int p = s;
        while (p < e && Ascii.isDigit(buf[p])) {
            p++;
        }
        long n = Ascii.parseDecimal(buf, s, p, Integer.MAX_VALUE);
        int ms = Ascii.skipWs(buf, p, e);
        if (n < 0 || ms == p || ms == e) {
            throw new SipParseException(SipParseError.CSEQ_INVALID, s - base);
        }
        int me = ms;
        while (me < e && Ascii.isToken(buf[me])) {
            me++;
        }
        if (me != e) {
            throw new SipParseException(SipParseError.CSEQ_INVALID, me - base);
        }
        SipMethod m = SipMethod.of(buf, ms, me);
        return new CSeqHeader(n, m, m == SipMethod.OTHER ? Ascii.latin1(buf, ms, me) : m.name());
    }
}
