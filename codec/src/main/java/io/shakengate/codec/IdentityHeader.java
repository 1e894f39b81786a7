package io.shakengate.codec;


/**
 * One Identity header value (RFC 8224 section 4):
 * {@code signed-identity-digest SEMI ident-info *( SEMI ident-info-params )}.
 *
 * <p>The digest is accepted in the full base64url alphabet plus '.', '+', '/' and '=' (every implementation
 * sends base64url although the ABNF lists base64). The parameters are kept as received; {@code info},
 * {@code alg} and {@code ppt} have accessors that unquote them ({@code ppt="shaken"} is common). Whether
 * {@code info} is present is the verifier's business (RFC 8224 says 436), not a parse error here.
 */
public final class IdentityHeader {
    private final byte[] buf;
    private final int base;
    private final int start;
    private final int end;
    private final int tokenEnd;

    private IdentityHeader(byte[] buf, int base, int start, int end, int tokenEnd) {
        this.buf = buf;
        this.base = base;
        this.start = start;
        this.end = end;
        this.tokenEnd = tokenEnd;
    }

    static IdentityHeader parse(byte[] buf, int base, int s, int e) {
        int p = s;
        while (p < e && isDigestChar(buf[p])) {
            p++;
        }
        if (p == s || SipScan.findParam(buf, p, e, null) == SipScan.MALFORMED) {
            throw new SipParseException(SipParseError.IDENTITY_INVALID, p - base);
        }
        return new IdentityHeader(buf, base, s, e, p);
    }

    private static boolean isDigestChar(byte b) {
        return Ascii.isAlpha(b) || Ascii.isDigit(b) || b == '-' || b == '_' || b == '.' || b == '+' || b == '/'
                || b == '=';
    }

    /** The signed-identity-digest: the PASSporT in compact JWS form (or {@code ..sig} in compact form). */
    public String token() {
        return Ascii.latin1(buf, start, tokenEnd);
    }

    /** Length of the digest in bytes. */
    public int tokenLength() {
        return tokenEnd - start;
    }

    /** Copies the digest's bytes into {@code dst} at {@code dstIndex} (no String on the verify path). */
    public void copyToken(byte[] dst, int dstIndex) {
        System.arraycopy(buf, start, dst, dstIndex, tokenEnd - start);
    }

    /** True for the compact form {@code ..signature} (RFC 8224 section 4.1.1), which SHAKEN does not allow. */
    public boolean isCompactForm() {
        return tokenEnd - start >= 2 && buf[start] == '.' && buf[start + 1] == '.';
    }

    /** The info URI without its angle brackets, or null when absent. */
    public String info() {
        long v = SipScan.findParam(buf, tokenEnd, end, "info");
        if (v < 0) {
            return null;
        }
        int s = SipScan.start(v);
        int e = SipScan.end(v);
        if (e - s >= 2 && buf[s] == '<' && buf[e - 1] == '>') {
            return Ascii.latin1(buf, s + 1, e - 1);
        }
        return SipScan.unquote(buf, s, e);
    }

    /** The alg parameter (unquoted), {@code ES256} when absent (RFC 8224 section 4.1). */
    public String alg() {
        String alg = param("alg");
        return alg == null ? "ES256" : alg;
    }

    /** The ppt parameter (unquoted), or null when absent. */
    public String ppt() {
        return param("ppt");
    }

    /** A parameter (unquoted): "" when present without value, null when absent. */
    public String param(String name) {
        long v = SipScan.findParam(buf, tokenEnd, end, name);
        if (v < 0) {
            return null;
        }
        int s = SipScan.start(v);
        int e = SipScan.end(v);
        return "alg".equals(name) && Ascii.equals(buf, s, e, "ES256") ? "ES256"
                : "ppt".equals(name) && Ascii.equals(buf, s, e, "shaken") ? "shaken"
                : SipScan.unquote(buf, s, e);
    }

    /** Index of the value's first byte, from the start of its message. */
    public int offset() {
        return start - base;
    }

    @Override
    public String toString() {
        return Ascii.latin1(buf, start, end);
    }
}
