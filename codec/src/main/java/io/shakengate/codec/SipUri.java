package io.shakengate.codec;


/**
 * A SIP, SIPS or TEL URI (RFC 3261 section 19.1, RFC 3966) viewed in place in a message. Other schemes are
 * kept whole ({@link Scheme#OTHER}): a proxy routes them but never looks inside.
 *
 * <p>Escapes are not decoded: {@code sip:%75ser@host} has the user {@code %75ser} (RFC 4475 section
 * 3.1.1.3), so that what is compared and written back is what was received.
 */
public final class SipUri {
    /** URI schemes. */
    public enum Scheme {
        /** sip: */
        SIP,
        /** sips: */
        SIPS,
        /** tel: */
        TEL,
        /** any other scheme */
        OTHER
    }

    private final byte[] buf;
    private final int base;
    private final int start;
    private final int end;
    private final Scheme scheme;
    private final int userStart;
    private final int userEnd;
    private final int passwordEnd;
    private final int hostStart;
    private final int hostEnd;
    private final int port;
    private final int paramsStart;
    private final int headersStart;

    private SipUri(byte[] buf, int base, int start, int end, Scheme scheme, int userStart, int userEnd,
                   int passwordEnd, int hostStart, int hostEnd, int port, int paramsStart, int headersStart) {
        this.buf = buf;
        this.base = base;
        this.start = start;
        this.end = end;
        this.scheme = scheme;
        this.userStart = userStart;
        this.userEnd = userEnd;
        this.passwordEnd = passwordEnd;
        this.hostStart = hostStart;
        this.hostEnd = hostEnd;
        this.port = port;
        this.paramsStart = paramsStart;
        this.headersStart = headersStart;
    }

    /**
     * Parses the URI in {@code [s, e)} of {@code buf}; {@code base} is where its message starts (for error
     * offsets). Throws {@link SipParseException} with {@link SipParseError#URI_INVALID}.
     */
    static SipUri parse(byte[] buf, int base, int s, int e) {
        if (!SipScan.isUri(buf, s, e)) {
            throw new SipParseException(SipParseError.URI_INVALID, s - base);
        }
        int colon = Ascii.indexOf(buf, s, e, (byte) ':');
        Scheme scheme = Ascii.equalsIgnoreCase(buf, s, colon, "sip") ? Scheme.SIP
                : Ascii.equalsIgnoreCase(buf, s, colon, "sips") ? Scheme.SIPS
                : Ascii.equalsIgnoreCase(buf, s, colon, "tel") ? Scheme.TEL : Scheme.OTHER;
        int r = colon + 1;
        if (scheme == Scheme.OTHER) {
            return new SipUri(buf, base, s, e, scheme, -1, -1, -1, r, e, -1, e, e);
        }
        if (scheme == Scheme.TEL) {
            int q = Ascii.indexOf(buf, r, e, (byte) '?');
            int headers = q < 0 ? e : q;
            int semi = Ascii.indexOf(buf, r, headers, (byte) ';');
            int numEnd = semi < 0 ? headers : semi;
            if (numEnd == r) {
                throw new SipParseException(SipParseError.URI_INVALID, r - base);
            }
            return new SipUri(buf, base, s, e, scheme, r, numEnd, numEnd, -1, -1, -1, numEnd, headers);
        }
        // The userinfo may hold '?', ';' and ':' (RFC 4475 section 3.1.1.2): it ends at the first '@'.
        int at = Ascii.indexOf(buf, r, e, (byte) '@');
        int us = -1;
        int ue = -1;
        int pe = -1;
        int hs = r;
        if (at >= 0) {
            int pw = Ascii.indexOf(buf, r, at, (byte) ':');
            us = r;
            ue = pw < 0 ? at : pw;
            pe = at;
            hs = at + 1;
        }
        int q = Ascii.indexOf(buf, hs, e, (byte) '?');
        int headers = q < 0 ? e : q;
        int he;
        if (hs < headers && buf[hs] == '[') {
            int close = Ascii.indexOf(buf, hs, headers, (byte) ']');
            if (close < 0) {
                throw new SipParseException(SipParseError.URI_INVALID, hs - base);
            }
            he = close + 1;
        } else {
            he = hs;
            while (he < headers) {
                byte b = buf[he];
                if (b == ':' || b == ';') {
                    break;
                }
                he++;
            }
        }
        if (he == hs) {
            throw new SipParseException(SipParseError.URI_INVALID, hs - base);
        }
        int p = he;
        int port = -1;
        if (p < headers && buf[p] == ':') {
            int ps = p + 1;
            p = ps;
            while (p < headers && Ascii.isDigit(buf[p])) {
                p++;
            }
            port = (int) Ascii.parseDecimal(buf, ps, p, 65535);
            if (port < 0) {
                throw new SipParseException(SipParseError.URI_INVALID, ps - base);
            }
        }
        if (p < headers && buf[p] != ';') {
            throw new SipParseException(SipParseError.URI_INVALID, p - base);
        }
        return new SipUri(buf, base, s, e, scheme, us, ue, pe, hs, he, port, p, headers);
    }

    /** The scheme. */
    public Scheme scheme() {
        return scheme;
    }

    /** True for sip: and sips:. */
    public boolean isSip() {
        return scheme == Scheme.SIP || scheme == Scheme.SIPS;
    }

    /** The user part (escapes kept; a telephone-subscriber keeps its ;parameters), or null. */
    public String user() {
        return userStart < 0 || scheme == Scheme.TEL ? null : Ascii.latin1(buf, userStart, userEnd);
    }

    /** The password of the userinfo, or null. */
    public String password() {
        return userEnd < 0 || userEnd == passwordEnd ? null : Ascii.latin1(buf, userEnd + 1, passwordEnd);
    }

    /** The host (an IPv6 reference keeps its brackets), or null for tel: URIs. */
    public String host() {
        return hostStart < 0 || scheme == Scheme.OTHER ? null : Ascii.latin1(buf, hostStart, hostEnd);
    }

    /** The port, or -1 when absent. */
    public int port() {
        return port;
    }

    /**
     * The telephone number the URI names: the number of a tel: URI, or the user part of a sip:/sips: URI up
     * to its first ';' (RFC 3261 section 19.1.6). Null when there is no user part. Not canonicalised.
     */
    public String telephoneNumber() {
        if (userStart < 0) {
            return null;
        }
        return Ascii.latin1(buf, userStart, numberEnd());
    }

    /** End index (absolute) of the telephone number (before its parameters). */
    int numberEnd() {
        if (scheme == Scheme.TEL) {
            return userEnd;
        }
        int semi = Ascii.indexOf(buf, userStart, userEnd, (byte) ';');
        return semi < 0 ? userEnd : semi;
    }

    /** Absolute index where the telephone-subscriber's parameters end (where a new one is appended). */
    int subscriberEnd() {
        return scheme == Scheme.TEL ? headersStart : userEnd;
    }

    /**
     * A parameter of the telephone number ({@code verstat}, {@code npdi}, ...): of the tel: URI, or of the
     * telephone-subscriber in the user part of a sip: URI. "" when present without value, null when absent.
     */
    public String numberParam(String name) {
        if (userStart < 0) {
            return null;
        }
        long v = scheme == Scheme.TEL
                ? SipScan.findUriParam(buf, userEnd, headersStart, name)
                : SipScan.findUriParam(buf, numberEnd(), userEnd, name);
        return v < 0 ? null : Ascii.latin1(buf, SipScan.start(v), SipScan.end(v));
    }

    /** Packed bounds of the whole {@code ;name[=value]} number parameter, or -1. */
    long numberParamBounds(String name) {
        if (userStart < 0) {
            return -1;
        }
        int ps = scheme == Scheme.TEL ? userEnd : numberEnd();
        int pe = scheme == Scheme.TEL ? headersStart : userEnd;
        long v = SipScan.findUriParam(buf, ps, pe, name);
        if (v < 0) {
            return -1;
        }
        int nameStart = Ascii.lastIndexOf(buf, ps, SipScan.start(v), (byte) ';');
        return SipScan.pack(nameStart, SipScan.end(v));
    }

    /** A URI parameter ({@code ;transport=tcp}, {@code ;lr}): "" when present without value, null when absent. */
    public String param(String name) {
        long v = SipScan.findUriParam(buf, paramsStart, headersStart, name);
        return v < 0 ? null : Ascii.latin1(buf, SipScan.start(v), SipScan.end(v));
    }

    /** True if the URI has the parameter. */
    public boolean hasParam(String name) {
        return SipScan.findUriParam(buf, paramsStart, headersStart, name) >= 0;
    }

    /** True if the URI carries {@code ?headers}. */
    public boolean hasHeaders() {
        return headersStart < end;
    }

    /** Index of the URI's first byte, from the start of its message. */
    public int offset() {
        return start - base;
    }

    /** The URI's length in bytes. */
    public int length() {
        return end - start;
    }

    int absStart() {
        return start;
    }

    int absEnd() {
        return end;
    }

    @Override
    public String toString() {
        return Ascii.latin1(buf, start, end);
    }
}
