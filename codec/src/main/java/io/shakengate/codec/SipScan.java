package io.shakengate.codec;


/**
 * Allocation-free scanning of header values: comma-separated lists, {@code ;name=value} parameters and
 * quoted strings (RFC 3261 section 25.1). Every method works on absolute indexes {@code [p, e)} of a
 * byte array. Not public API.
 */
final class SipScan {
    /** {@link #findParam} result: the parameter is absent. */
    static final long ABSENT = -1;
    /** {@link #findParam} result: the parameter list does not parse. */
    static final long MALFORMED = -2;

    private SipScan() {
    }

    static long pack(int start, int end) {
        return ((long) start << 32) | (end & 0xffffffffL);
    }

    static int start(long packed) {
        return (int) (packed >>> 32);
    }

    static int end(long packed) {
        return (int) packed;
    }

    /** Index of the closing quote + 1 for the quoted-string that opens at {@code p}, or -1. */
    static int endOfQuoted(byte[] buf, int p, int e) {
        for (int i = p + 1; i < e; i++) {
            byte b = buf[i];
            if (b == '\\') {
                i++;
            } else if (b == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Index of the next top-level comma (outside quotes and angle brackets) in [p, e), or e. */
    static int nextComma(byte[] buf, int p, int e) {
        boolean inAngle = false;
        int i = p;
        while (true) {
            i = inAngle ? Ascii.indexOf(buf, i, e, (byte) '>') : Ascii.indexOfAny(buf, i, e, (byte) ',', (byte) '"',
                    (byte) '<');
            if (i < 0) {
                return e;
            }
            byte b = buf[i];
            if (b == '"') {
                int q = endOfQuoted(buf, i, e);
                if (q < 0) {
                    return e;
                }
                i = q;
            } else if (b == '<') {
                inAngle = true;
                i++;
            } else if (b == '>') {
                inAngle = false;
                i++;
            } else {
                return i;
            }
        }
    }

    /** Index of the first top-level occurrence of {@code c} (outside quotes) in [p, e), or -1. */
    static int indexOutsideQuotes(byte[] buf, int p, int e, byte c) {
        int i = p;
        while (true) {
            i = Ascii.indexOfAny(buf, i, e, c, (byte) '"', c);
            if (i < 0 || buf[i] == c) {
                return i;
            }
            int q = endOfQuoted(buf, i, e);
            if (q < 0) {
                return -1;
            }
            i = q;
        }
    }

    /**
     * Header parameters {@code *( SEMI generic-param )} in [p, e): returns the packed bounds of the value of
     * {@code name} (empty bounds if present without value; quotes kept), {@link #ABSENT}, or
     * {@link #MALFORMED}. With {@code name == null} it only validates: {@link #ABSENT} means well formed.
     */
    static long findParam(byte[] buf, int p, int e, String name) {
        while (true) {
            p = Ascii.skipWs(buf, p, e);
            if (p == e) {
                return ABSENT;
            }
            if (buf[p] != ';') {
                return MALFORMED;
            }
            p = Ascii.skipWs(buf, p + 1, e);
            int ns = p;
            while (p < e && Ascii.isToken(buf[p])) {
                p++;
            }
            if (p == ns) {
                return MALFORMED;
            }
            int ne = p;
            p = Ascii.skipWs(buf, p, e);
            int vs = ne;
            int ve = ne;
            if (p < e && buf[p] == '=') {
                p = Ascii.skipWs(buf, p + 1, e);
                if (p == e) {
                    return MALFORMED;
                }
                vs = p;
                byte c = buf[p];
                if (c == '"') {
                    p = endOfQuoted(buf, p, e);
                } else if (c == '<' || c == '[') {
                    int close = Ascii.indexOf(buf, p, e, c == '<' ? (byte) '>' : (byte) ']');
                    p = close < 0 ? -1 : close + 1;
                } else {
                    while (p < e && (Ascii.isToken(buf[p]) || buf[p] == ':')) {
                        p++;
                    }
                    if (p == vs) {
                        p = -1;
                    }
                }
                if (p < 0) {
                    return MALFORMED;
                }
                ve = p;
            } else if (p < e && buf[p] != ';') {
                return MALFORMED;
            }
            if (name != null && Ascii.equalsIgnoreCase(buf, ns, ne, name)) {
                return pack(vs, ve);
            }
        }
    }

    /**
     * URI parameters {@code *( ";" pname [ "=" pvalue ] )} in [p, e) (no whitespace, no quoting): packed
     * bounds of the value of {@code name}, or {@link #ABSENT}.
     */
    static long findUriParam(byte[] buf, int p, int e, String name) {
        while (p < e) {
            if (buf[p] != ';') {
                return ABSENT;
            }
            int ns = p + 1;
            int next = Ascii.indexOf(buf, ns, e, (byte) ';');
            if (next < 0) {
                next = e;
            }
            int eq = Ascii.indexOf(buf, ns, next, (byte) '=');
            int ne = eq < 0 ? next : eq;
            if (Ascii.equalsIgnoreCase(buf, ns, ne, name)) {
                return eq < 0 ? pack(next, next) : pack(eq + 1, next);
            }
            p = next;
        }
        return ABSENT;
    }

    /** The value of a parameter with its quotes and backslash escapes removed, as UTF-8. */
    static String unquote(byte[] buf, int s, int e) {
        if (e - s >= 2 && buf[s] == '"' && buf[e - 1] == '"') {
            boolean escaped = Ascii.indexOf(buf, s + 1, e - 1, (byte) '\\') >= 0;
            if (!escaped) {
                return Ascii.utf8(buf, s + 1, e - 1);
            }
            byte[] out = new byte[e - s - 2];
            int n = 0;
            for (int i = s + 1; i < e - 1; i++) {
                byte b = buf[i];
                if (b == '\\' && i + 1 < e - 1) {
                    b = buf[++i];
                }
                out[n++] = b;
            }
            return new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        }
        return Ascii.latin1(buf, s, e);
    }

    /** True if [s, e) is {@code scheme ":" rest} with a valid scheme and no whitespace or controls. */
    static boolean isUri(byte[] buf, int s, int e) {
        if (s >= e || !Ascii.isAlpha(buf[s])) {
            return false;
        }
        int colon = -1;
        for (int i = s; i < e; i++) {
            byte b = buf[i];
            if ((b & 0xff) <= 0x20 || b == 0x7f) {
                return false;
            }
            if (colon < 0) {
                if (b == ':') {
                    colon = i;
                } else if (!Ascii.isAlpha(b) && !Ascii.isDigit(b) && b != '+' && b != '-' && b != '.') {
                    return false;
                }
            }
        }
        return colon > s && colon < e - 1;
    }
}
