package io.shakengate.codec;


/**
 * One Identity header value (RFC 8224 section 4):
 * {@code signed-identity-digest SEMI ident-info *( SEMI ident-info-params )}.
 *
 * <p>The digest is not checked character by character here (the PASSporT parser decodes it as base64url,
 * which every implementation sends although the ABNF lists base64). The parameters are kept as received; {@code info},
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

    /**
     * Parses the Identity value that starts at {@code s} of a header line whose value ends at {@code lineEnd}:
     * the digest runs to the first ';' or ',' (one SWAR pass over its 500-800 bytes) and the parameters to
     * the next top-level comma. {@link #end()} tells where the next comma-separated value may start.
     */
    static IdentityHeader parseFirst(byte[] buf, int base, int s, int lineEnd) {
        int stop = Ascii.indexOfAny(buf, s, lineEnd, (byte) ';', (byte) ',', (byte) ';');
        int paramsEnd = stop < 0 || buf[stop] == ',' ? (stop < 0 ? lineEnd : stop) : SipScan.nextComma(buf, stop, lineEnd);
        return parse(buf, base, s, Ascii.trimEnd(buf, s, paramsEnd));
    }

    /**
     * Parses one Identity header value given on its own, as the HTTP verification API receives it (token and
     * parameters, no header name). Throws {@link SipParseException} ({@code IDENTITY_INVALID}) when it is empty
     * or its parameters do not parse.
     */
    public static IdentityHeader parseValue(String value) {
        byte[] b = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int s = 0;
        while (s < b.length && (b[s] == ' ' || b[s] == '\t')) {
            s++;
        }
        return parse(b, 0, s, Ascii.trimEnd(b, s, b.length));
    }

    /** Index just after this value (its parameters included). */
    int end() {
        return end;
    }

    static IdentityHeader parse(byte[] buf, int base, int s, int e) {
        // The digest runs to the first ';' (or whitespace before it). Its characters are not checked here:
        // the PASSporT parser base64url-decodes every segment and rejects anything else, so scanning 500-800
        // bytes again would only cost time. It must not be empty.
        int semi = Ascii.indexOf(buf, s, e, (byte) ';');
        int p = Ascii.trimEnd(buf, s, semi < 0 ? e : semi);
        if (p == s) {
            throw new SipParseException(SipParseError.IDENTITY_INVALID, s - base);
        }
        if (SipScan.findParam(buf, p, e, null) == SipScan.MALFORMED) {
            throw new SipParseException(SipParseError.IDENTITY_INVALID, p - base);
        }
        return new IdentityHeader(buf, base, s, e, p);
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
