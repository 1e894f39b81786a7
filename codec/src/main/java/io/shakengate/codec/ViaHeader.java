package io.shakengate.codec;


/**
 * One Via value (RFC 3261 section 20.42): {@code SIP / 2.0 / transport sent-by *( ; via-params )}, with
 * the whitespace the grammar allows around '/', ':', ';' and '=' (RFC 4475 section 3.1.1.1).
 */
public final class ViaHeader {
    private final byte[] buf;
    private final int base;
    private final int start;
    private final int end;
    private final int transportStart;
    private final int transportEnd;
    private final int hostStart;
    private final int hostEnd;
    private final int port;
    private final int paramsStart;

    private ViaHeader(byte[] buf, int base, int start, int end, int transportStart, int transportEnd, int hostStart,
                      int hostEnd, int port, int paramsStart) {
        this.buf = buf;
        this.base = base;
        this.start = start;
        this.end = end;
        this.transportStart = transportStart;
        this.transportEnd = transportEnd;
        this.hostStart = hostStart;
        this.hostEnd = hostEnd;
        this.port = port;
        this.paramsStart = paramsStart;
    }

    static ViaHeader parse(byte[] buf, int base, int s, int e) {
        int p = token(buf, base, s, e);
        p = slash(buf, base, p, e);
        p = token(buf, base, p, e);
        p = slash(buf, base, p, e);
        int ts = p;
        p = token(buf, base, p, e);
        int te = p;
        int hs = Ascii.skipWs(buf, p, e);
        if (hs == p || hs == e) {
            throw new SipParseException(SipParseError.VIA_INVALID, p - base);
        }
        int he;
        if (buf[hs] == '[') {
            int close = Ascii.indexOf(buf, hs, e, (byte) ']');
            if (close < 0) {
                throw new SipParseException(SipParseError.VIA_INVALID, hs - base);
            }
            he = close + 1;
        } else {
            he = hs;
            while (he < e) {
                byte b = buf[he];
                if (!Ascii.isAlpha(b) && !Ascii.isDigit(b) && b != '.' && b != '-' && b != '_') {
                    break;
                }
                he++;
            }
            if (he == hs) {
                throw new SipParseException(SipParseError.VIA_INVALID, hs - base);
            }
        }
        p = Ascii.skipWs(buf, he, e);
        int port = -1;
        if (p < e && buf[p] == ':') {
            int ps = Ascii.skipWs(buf, p + 1, e);
            p = ps;
            while (p < e && Ascii.isDigit(buf[p])) {
                p++;
            }
            port = (int) Ascii.parseDecimal(buf, ps, p, 65535);
            if (port < 0) {
                throw new SipParseException(SipParseError.VIA_INVALID, ps - base);
            }
        }
        if (SipScan.findParam(buf, p, e, null) == SipScan.MALFORMED) {
            throw new SipParseException(SipParseError.VIA_INVALID, p - base);
        }
        return new ViaHeader(buf, base, s, e, ts, te, hs, he, port, p);
    }

    private static int token(byte[] buf, int base, int p, int e) {
        int s = p;
        while (p < e && Ascii.isToken(buf[p])) {
            p++;
        }
        if (p == s) {
            throw new SipParseException(SipParseError.VIA_INVALID, s - base);
        }
        return p;
    }

    private static int slash(byte[] buf, int base, int p, int e) {
        p = Ascii.skipWs(buf, p, e);
        if (p == e || buf[p] != '/') {
            throw new SipParseException(SipParseError.VIA_INVALID, p - base);
        }
        return Ascii.skipWs(buf, p + 1, e);
    }

    /** The transport in upper case ("UDP", "TCP", "TLS", "SCTP", "WS", "WSS" or as written). */
    public String transport() {
        for (String t : KNOWN_TRANSPORTS) {
            if (Ascii.equalsIgnoreCase(buf, transportStart, transportEnd, t)) {
                return t;
            }
        }
        return Ascii.latin1(buf, transportStart, transportEnd).toUpperCase(java.util.Locale.ROOT);
    }

    private static final String[] KNOWN_TRANSPORTS = {"UDP", "TCP", "TLS", "SCTP", "WS", "WSS"};

    /** The sent-by host (an IPv6 reference keeps its brackets). */
    public String host() {
        return Ascii.latin1(buf, hostStart, hostEnd);
    }

    /** The sent-by port, or -1 when absent. */
    public int port() {
        return port;
    }

    /** The branch parameter, or null. */
    public String branch() {
        return param("branch");
    }

    /** True if the branch starts with the RFC 3261 magic cookie {@code z9hG4bK}. */
    public boolean hasRfc3261Branch() {
        long v = SipScan.findParam(buf, paramsStart, end, "branch");
        int s = SipScan.start(v);
        return v >= 0 && SipScan.end(v) - s >= 7 && Ascii.equals(buf, s, s + 7, "z9hG4bK");
    }

    /** The received parameter, or null. */
    public String received() {
        return param("received");
    }

    /** The rport value: -1 when absent, 0 when present without value, else the port. */
    public int rport() {
        long v = SipScan.findParam(buf, paramsStart, end, "rport");
        if (v < 0) {
            return -1;
        }
        int s = SipScan.start(v);
        int e = SipScan.end(v);
        return s == e ? 0 : (int) Math.max(Ascii.parseDecimal(buf, s, e, 65535), 0);
    }

    /** The maddr parameter, or null. */
    public String maddr() {
        return param("maddr");
    }

    /** The ttl parameter, or -1. */
    public int ttl() {
        long v = SipScan.findParam(buf, paramsStart, end, "ttl");
        return v < 0 ? -1 : (int) Ascii.parseDecimal(buf, SipScan.start(v), SipScan.end(v), 255);
    }

    /** A parameter (unquoted): "" when present without value, null when absent. */
    public String param(String name) {
        long v = SipScan.findParam(buf, paramsStart, end, name);
        return v < 0 ? null : SipScan.unquote(buf, SipScan.start(v), SipScan.end(v));
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

    @Override
    public String toString() {
        return Ascii.latin1(buf, start, end);
    }
}
