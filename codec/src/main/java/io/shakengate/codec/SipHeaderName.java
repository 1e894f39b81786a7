package io.shakengate.codec;


/**
 * The header fields the appliance knows by name. Names are matched case-insensitively and with their
 * compact forms (RFC 3261 section 7.3.3 and later RFCs: {@code v f t i m l c k s e y o r b u a d j x}),
 * straight from the message bytes, without creating a String. Every other header is {@link #OTHER}: it is
 * kept byte-exact and can still be looked up by its name.
 */
public enum SipHeaderName {
    /** Any header not listed here. */
    OTHER("", (char) 0),
    VIA("Via", 'v'),
    FROM("From", 'f'),
    TO("To", 't'),
    CALL_ID("Call-ID", 'i'),
    CSEQ("CSeq", (char) 0),
    MAX_FORWARDS("Max-Forwards", (char) 0),
    CONTACT("Contact", 'm'),
    ROUTE("Route", (char) 0),
    RECORD_ROUTE("Record-Route", (char) 0),
    CONTENT_LENGTH("Content-Length", 'l'),
    CONTENT_TYPE("Content-Type", 'c'),
    CONTENT_ENCODING("Content-Encoding", 'e'),
    P_ASSERTED_IDENTITY("P-Asserted-Identity", (char) 0),
    IDENTITY("Identity", 'y'),
    DATE("Date", (char) 0),
    REASON("Reason", (char) 0),
    WARNING("Warning", (char) 0),
    SUBJECT("Subject", 's'),
    SUPPORTED("Supported", 'k'),
    EVENT("Event", 'o'),
    REFER_TO("Refer-To", 'r'),
    REFERRED_BY("Referred-By", 'b'),
    ALLOW_EVENTS("Allow-Events", 'u'),
    ACCEPT_CONTACT("Accept-Contact", 'a'),
    REQUEST_DISPOSITION("Request-Disposition", 'd'),
    REJECT_CONTACT("Reject-Contact", 'j'),
    SESSION_EXPIRES("Session-Expires", 'x'),
    REQUIRE("Require", (char) 0),
    PROXY_REQUIRE("Proxy-Require", (char) 0),
    ALLOW("Allow", (char) 0),
    ACCEPT("Accept", (char) 0),
    EXPIRES("Expires", (char) 0),
    USER_AGENT("User-Agent", (char) 0),
    SERVER("Server", (char) 0),
    DIVERSION("Diversion", (char) 0),
    HISTORY_INFO("History-Info", (char) 0),
    P_PREFERRED_IDENTITY("P-Preferred-Identity", (char) 0),
    P_CHARGE_INFO("P-Charge-Info", (char) 0),
    PRIVACY("Privacy", (char) 0),
    RETRY_AFTER("Retry-After", (char) 0);

    private static final SipHeaderName[] VALUES = values();
    private static final SipHeaderName[] COMPACT = new SipHeaderName[128];
    private static final int TABLE_SIZE = 256;
    private static final SipHeaderName[] TABLE = new SipHeaderName[TABLE_SIZE];
    private static final SipHeaderName[][] BY_LENGTH = new SipHeaderName[32][];

    static {
        for (SipHeaderName h : VALUES) {
            if (h == OTHER) {
                continue;
            }
            if (h.compact != 0) {
                COMPACT[h.compact] = h;
            }
            int slot = hash(h.lower, 0, h.lower.length) & (TABLE_SIZE - 1);
            while (TABLE[slot] != null) {
                slot = (slot + 1) & (TABLE_SIZE - 1);
            }
            TABLE[slot] = h;
        }
        for (int len = 0; len < BY_LENGTH.length; len++) {
            final int l = len;
            BY_LENGTH[len] = java.util.Arrays.stream(VALUES).filter(h -> h != OTHER && h.text.length() == l)
                    .toArray(SipHeaderName[]::new);
        }
    }

    private final String text;
    private final char compact;
    private final byte[] lower;

    SipHeaderName(String text, char compact) {
        this.text = text;
        this.compact = compact;
        this.lower = text.toLowerCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The canonical spelling, as written in new header lines ("Via", "Call-ID"). */
    public String text() {
        return text;
    }

    /** The compact form, or 0 when there is none. */
    public char compactForm() {
        return compact;
    }

    /** The header for {@code name} (full or compact form, any case), or {@link #OTHER}. */
    public static SipHeaderName of(CharSequence name) {
        int len = name.length();
        if (len == 1) {
            char c = Character.toLowerCase(name.charAt(0));
            SipHeaderName h = c < 128 ? COMPACT[c] : null;
            return h == null ? OTHER : h;
        }
        int hash = 0;
        for (int i = 0; i < len; i++) {
            hash = hash * 31 + (Ascii.toLower((byte) name.charAt(i)) & 0xff);
        }
        for (int slot = hash & (TABLE_SIZE - 1); TABLE[slot] != null; slot = (slot + 1) & (TABLE_SIZE - 1)) {
            byte[] candidate = TABLE[slot].lower;
            if (candidate.length == len && equalsLower(candidate, name)) {
                return TABLE[slot];
            }
        }
        return OTHER;
    }

    /**
     * The header named by the bytes {@code [start, end)} of {@code buf}, or {@link #OTHER}. Candidates are
     * grouped by length and checked first by their first letter: one or two comparisons for a known name,
     * no hashing (a hash and probe cost three times as much here, measured in SipCodecBenchmark).
     */
    static SipHeaderName of(byte[] buf, int start, int end) {
        int len = end - start;
        byte first = Ascii.toLower(buf[start]);
        if (len == 1) {
            SipHeaderName h = first >= 0 ? COMPACT[first] : null;
            return h == null ? OTHER : h;
        }
        if (len >= BY_LENGTH.length) {
            return OTHER;
        }
        for (SipHeaderName h : BY_LENGTH[len]) {
            byte[] lower = h.lower;
            if (lower[0] == first && equalsLower(lower, buf, start)) {
                return h;
            }
        }
        return OTHER;
    }

    static SipHeaderName ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    private static int hash(byte[] lower, int start, int end) {
        int hash = 0;
        for (int i = start; i < end; i++) {
            hash = hash * 31 + (lower[i] & 0xff);
        }
        return hash;
    }

    private static boolean equalsLower(byte[] lower, byte[] buf, int start) {
        for (int i = 1; i < lower.length; i++) {
            if (lower[i] != Ascii.toLower(buf[start + i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsLower(byte[] lower, CharSequence name) {
        for (int i = 0; i < lower.length; i++) {
            char c = name.charAt(i);
            if (c > 127 || lower[i] != Ascii.toLower((byte) c)) {
                return false;
            }
        }
        return true;
    }
}
