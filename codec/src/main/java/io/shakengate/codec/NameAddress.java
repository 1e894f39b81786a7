package io.shakengate.codec;


/**
 * A {@code name-addr} or {@code addr-spec} with header parameters: the value of From, To, Contact, Route,
 * Record-Route, P-Asserted-Identity (RFC 3261 section 20). Parsed strictly when created; the URI itself is
 * parsed on the first call to {@link #uri()}.
 *
 * <p>Strict where RFC 4475 allows it: whitespace inside the angle brackets (3.1.2.14), an unquoted display
 * name with non-token characters (3.1.2.15), an unterminated quoted display name (3.1.2.6) and an addr-spec
 * without brackets that contains '?' or ',' (3.1.2.13) are {@link SipParseError#NAME_ADDR_INVALID}.
 */
public final class NameAddress {
    private final byte[] buf;
    private final int base;
    private final int start;
    private final int end;
    private final int displayStart;
    private final int displayEnd;
    private final int uriStart;
    private final int uriEnd;
    private final boolean bracketed;
    private SipUri uri;

    private NameAddress(byte[] buf, int base, int start, int end, int displayStart, int displayEnd, int uriStart,
                        int uriEnd, boolean bracketed) {
        this.buf = buf;
        this.base = base;
        this.start = start;
        this.end = end;
        this.displayStart = displayStart;
        this.displayEnd = displayEnd;
        this.uriStart = uriStart;
        this.uriEnd = uriEnd;
        this.bracketed = bracketed;
    }

    /** Parses the trimmed value [s, e). */
    static NameAddress parse(byte[] buf, int base, int s, int e) {
        if (s >= e) {
            throw new SipParseException(SipParseError.NAME_ADDR_INVALID, s - base);
        }
        int lt;
        int ds = -1;
        int de = -1;
        if (buf[s] == '"') {
            int q = SipScan.endOfQuoted(buf, s, e);
            if (q < 0) {
                throw new SipParseException(SipParseError.NAME_ADDR_INVALID, s - base);
            }
            ds = s;
            de = q;
            lt = Ascii.skipWs(buf, q, e);
            if (lt == e || buf[lt] != '<') {
                throw new SipParseException(SipParseError.NAME_ADDR_INVALID, lt - base);
            }
        } else {
            lt = SipScan.indexOutsideQuotes(buf, s, e, (byte) '<');
            if (lt > s) {
                ds = s;
                de = Ascii.trimEnd(buf, s, lt);
                for (int i = ds; i < de; i++) {
                    byte b = buf[i];
                    if (!Ascii.isToken(b) && !Ascii.isWs(b)) {
                        throw new SipParseException(SipParseError.NAME_ADDR_INVALID, i - base);
                    }
                }
            }
        }
        if (lt >= 0) {
            int gt = Ascii.indexOf(buf, lt + 1, e, (byte) '>');
            if (gt < 0 || !SipScan.isUri(buf, lt + 1, gt)) {
                throw new SipParseException(SipParseError.NAME_ADDR_INVALID, lt + 1 - base);
            }
            if (SipScan.findParam(buf, gt + 1, e, null) == SipScan.MALFORMED) {
                throw new SipParseException(SipParseError.NAME_ADDR_INVALID, gt + 1 - base);
            }
            return new NameAddress(buf, base, s, e, ds, de, lt + 1, gt, true);
        }
        int semi = Ascii.indexOf(buf, s, e, (byte) ';');
        int ue = Ascii.trimEnd(buf, s, semi < 0 ? e : semi);
        if (!SipScan.isUri(buf, s, ue) || Ascii.indexOf(buf, s, ue, (byte) '?') >= 0
                || Ascii.indexOf(buf, s, ue, (byte) ',') >= 0) {
            throw new SipParseException(SipParseError.NAME_ADDR_INVALID, s - base);
        }
        if (SipScan.findParam(buf, ue, e, null) == SipScan.MALFORMED) {
            throw new SipParseException(SipParseError.NAME_ADDR_INVALID, ue - base);
        }
        return new NameAddress(buf, base, s, e, -1, -1, s, ue, false);
    }

    /** The display name (unquoted and unescaped), or null when there is none. */
    public String displayName() {
        if (displayStart < 0) {
            return null;
        }
        return SipScan.unquote(buf, displayStart, displayEnd);
    }

    /** The URI, parsed on first call. */
    public SipUri uri() {
        SipUri u = uri;
        if (u == null) {
            u = SipUri.parse(buf, base, uriStart, uriEnd);
            uri = u;
        }
        return u;
    }

    /**
     * The telephone number of the URI without building a {@link SipUri}: what {@code uri().telephoneNumber()}
     * returns (the number of a tel: URI, the user part of a sip:/sips: URI up to its first ';'), or null.
     */
    public String telephoneNumber() {
        if (uri != null) {
            return uri.telephoneNumber();
        }
        int colon = Ascii.indexOf(buf, uriStart, uriEnd, (byte) ':');
        int s = colon + 1;
        if (Ascii.equalsIgnoreCase(buf, uriStart, colon, "tel")) {
            int semi = Ascii.indexOfAny(buf, s, uriEnd, (byte) ';', (byte) '?', (byte) ';');
            return Ascii.latin1(buf, s, semi < 0 ? uriEnd : semi);
        }
        if (!Ascii.equalsIgnoreCase(buf, uriStart, colon, "sip") && !Ascii.equalsIgnoreCase(buf, uriStart, colon, "sips")) {
            return null;
        }
        int at = Ascii.indexOf(buf, s, uriEnd, (byte) '@');
        if (at < 0) {
            return null;
        }
        int userEnd = Ascii.indexOfAny(buf, s, at, (byte) ';', (byte) ':', (byte) ';');
        return Ascii.latin1(buf, s, userEnd < 0 ? at : userEnd);
    }

    /** The URI as written. */
    public String uriString() {
        return Ascii.latin1(buf, uriStart, uriEnd);
    }

    /** True if the URI is enclosed in angle brackets. */
    public boolean isBracketed() {
        return bracketed;
    }

    /** The {@code tag} parameter, or null. */
    public String tag() {
        return param("tag");
    }

    /** A header parameter (unquoted): "" when present without value, null when absent. */
    public String param(String name) {
        long v = SipScan.findParam(buf, bracketed ? uriEnd + 1 : uriEnd, end, name);
        return v < 0 ? null : SipScan.unquote(buf, SipScan.start(v), SipScan.end(v));
    }

    /** True if the header parameter is present. */
    public boolean hasParam(String name) {
        return SipScan.findParam(buf, bracketed ? uriEnd + 1 : uriEnd, end, name) >= 0;
    }

    /** Index of the value's first byte, from the start of its message. */
    public int offset() {
        return start - base;
    }

    int absStart() {
        return start;
    }

    int absEnd() {
        return end;
    }

    int absDisplayStart() {
        return displayStart;
    }

    int absDisplayEnd() {
        return displayEnd;
    }

    int absUriStart() {
        return uriStart;
    }

    int absUriEnd() {
        return uriEnd;
    }

    @Override
    public String toString() {
        return Ascii.utf8(buf, start, end);
    }
}
