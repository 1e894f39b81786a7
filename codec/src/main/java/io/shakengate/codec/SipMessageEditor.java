package io.shakengate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * Edits a {@link SipMessage} without re-serializing it: each edit replaces a byte range of the original
 * (an insertion replaces an empty range), and {@link #encode} copies the untouched ranges as they came,
 * in one pass, into one buffer. What a proxy does to a request (RFC 3261 section 16.6) and what STIR adds
 * are edits: push or pop a Via, decrement Max-Forwards, add or remove Identity, set {@code verstat} on the
 * number of P-Asserted-Identity or From, replace the Request-URI.
 *
 * <p>Reusable and not thread-safe: keep one per event loop, {@link #reset} it for each message. Edits must
 * not overlap (an edit inside a header line that another edit removes); {@link #encode} checks.
 */
public final class SipMessageEditor {
    private static final byte[] COLON_SP = {':', ' '};
    private static final String[] SMALL_INTS = new String[256];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = Integer.toString(i);
        }
    }

    private SipMessage msg;
    private int n;
    private int[] starts = new int[8];
    private int[] ends = new int[8];
    private String[] names = new String[8];
    private CharSequence[] texts = new CharSequence[8];
    private CharSequence[] suffixes = new CharSequence[8];
    private int[] order = new int[8];

    /** Starts editing {@code message} (which stays owned by the caller). */
    public SipMessageEditor reset(SipMessage message) {
        this.msg = message;
        Arrays.fill(names, 0, n, null);
        Arrays.fill(texts, 0, n, null);
        Arrays.fill(suffixes, 0, n, null);
        n = 0;
        return this;
    }

    /** The message being edited. */
    public SipMessage message() {
        return msg;
    }

    private void edit(int start, int end, String name, CharSequence text, CharSequence suffix) {
        if (n == starts.length) {
            int len = n * 2;
            starts = Arrays.copyOf(starts, len);
            ends = Arrays.copyOf(ends, len);
            names = Arrays.copyOf(names, len);
            texts = Arrays.copyOf(texts, len);
            suffixes = Arrays.copyOf(suffixes, len);
            order = Arrays.copyOf(order, len);
        }
        starts[n] = start;
        ends[n] = end;
        names[n] = name;
        texts[n] = text;
        suffixes[n] = suffix;
        n++;
    }

    /** Inserts {@code Via: value} above the topmost Via (RFC 3261 section 16.6 step 8). */
    public SipMessageEditor pushVia(CharSequence value) {
        int i = msg.indexOf(SipHeaderName.VIA);
        int at = i >= 0 ? msg.lineStart(i) : firstLineStart();
        edit(at, at, "Via", value, null);
        return this;
    }

    /**
     * Removes the topmost Via value (a response going back, RFC 3261 section 16.7 step 3): the whole line
     * when it holds one value, else the first value of a comma-separated line.
     *
     * @return false if there was no Via
     */
    public boolean popVia() {
        return popFirstValue(SipHeaderName.VIA);
    }

    /**
     * Removes the first value of the first {@code name} header: the whole line when it holds one value, else
     * the first value of a comma-separated line (Via going back, a Route naming this proxy, RFC 3261 16.4).
     *
     * @return false if there was no such header
     */
    public boolean popFirstValue(SipHeaderName name) {
        int i = msg.indexOf(name);
        if (i < 0) {
            return false;
        }
        byte[] buf = msg.array();
        int vs = msg.valueStart(i);
        int ve = msg.valueEnd(i);
        int comma = SipScan.nextComma(buf, vs, ve);
        if (comma >= ve) {
            edit(msg.lineStart(i), msg.lineEnd(i), null, null, null);
        } else {
            edit(vs, Ascii.skipWs(buf, comma + 1, ve), null, null, null);
        }
        return true;
    }

    /**
     * Removes the first {@code count} values of the {@code name} headers, across lines and comma-separated values
     * (two Routes naming this proxy after a double Record-Route, RFC 5658).
     *
     * @return how many were removed (fewer when there are fewer)
     */
    public int popFirstValues(SipHeaderName name, int count) {
        byte[] buf = msg.array();
        int removed = 0;
        for (int i = msg.indexOf(name); i >= 0 && removed < count; i = msg.indexOf(name, i + 1)) {
            int vs = msg.valueStart(i);
            int ve = msg.valueEnd(i);
            int at = vs;
            while (removed < count && at < ve) {
                at = Ascii.skipWs(buf, Math.min(SipScan.nextComma(buf, at, ve) + 1, ve), ve);
                removed++;
            }
            if (at >= ve) {
                edit(msg.lineStart(i), msg.lineEnd(i), null, null, null); // every value of the line
            } else {
                edit(vs, at, null, null, null);
            }
        }
        return removed;
    }

    /** Appends parameters (for example {@code ;received=192.0.2.1;rport=5060}) to the topmost Via value. */
    public SipMessageEditor appendToTopVia(CharSequence params) {
        int i = msg.indexOf(SipHeaderName.VIA);
        if (i < 0) {
            throw new IllegalStateException("no Via");
        }
        byte[] buf = msg.array();
        int vs = msg.valueStart(i);
        int ve = msg.valueEnd(i);
        int at = Ascii.trimEnd(buf, vs, SipScan.nextComma(buf, vs, ve));
        edit(at, at, null, params, null);
        return this;
    }

    /**
     * Decrements Max-Forwards, or adds {@code Max-Forwards: 70} when absent (RFC 3261 section 16.6 step 3).
     *
     * @return the new value, or -1 (and no edit) when it is already 0: the caller answers 483
     */
    public int decrementMaxForwards() {
        int i = msg.indexOf(SipHeaderName.MAX_FORWARDS);
        if (i < 0) {
            int at = msg.absHeadersEnd();
            edit(at, at, "Max-Forwards", SMALL_INTS[70], null);
            return 70;
        }
        int v = msg.maxForwards();
        if (v == 0) {
            return -1;
        }
        edit(msg.valueStart(i), msg.valueEnd(i), null, SMALL_INTS[v - 1], null);
        return v - 1;
    }

    /** Appends the header line {@code name: value} after the last header. */
    public SipMessageEditor addHeader(String name, CharSequence value) {
        int at = msg.absHeadersEnd();
        edit(at, at, name, value, null);
        return this;
    }

    /** Inserts the header line {@code name: value} before every other header. */
    public SipMessageEditor addHeaderFirst(String name, CharSequence value) {
        int at = firstLineStart();
        edit(at, at, name, value, null);
        return this;
    }

    /** Removes header line {@code i}. */
    public SipMessageEditor removeHeader(int i) {
        edit(msg.lineStart(i), msg.lineEnd(i), null, null, null);
        return this;
    }

    /** Removes every header line named {@code name}; returns how many. */
    public int removeHeaders(SipHeaderName name) {
        int removed = 0;
        for (int i = msg.indexOf(name); i >= 0; i = msg.indexOf(name, i + 1)) {
            removeHeader(i);
            removed++;
        }
        return removed;
    }

    /** Replaces the value of header line {@code i}. */
    public SipMessageEditor replaceHeaderValue(int i, CharSequence value) {
        edit(msg.valueStart(i), msg.valueEnd(i), null, value, null);
        return this;
    }

    /** Replaces the Request-URI of a request. */
    public SipMessageEditor replaceRequestUri(CharSequence uri) {
        if (!msg.isRequest()) {
            throw new IllegalStateException("a response has no Request-URI");
        }
        edit(msg.absRequestUriStart(), msg.absRequestUriEnd(), null, uri, null);
        return this;
    }

    /**
     * Sets a parameter on the telephone number of {@code address} (one of this message's views): on a tel:
     * URI, or in the user part of a sip:/sips: URI, as 3GPP TS 24.229 places {@code verstat}. A parameter of
     * that name already there (from upstream, untrusted) is replaced. An address without angle brackets gets
     * them, since the new ';' would otherwise turn into a header parameter (RFC 3261 section 20).
     *
     * @return false (and no edit) if the URI has no telephone number
     */
    public boolean setNumberParam(NameAddress address, String name, String value) {
        SipUri uri = address.uri();
        if (uri.telephoneNumber() == null || uri.telephoneNumber().isEmpty()) {
            return false;
        }
        String param = ";" + name + "=" + value;
        long existing = uri.numberParamBounds(name);
        boolean wrap = !address.isBracketed();
        if (wrap) {
            edit(address.absUriStart(), address.absUriStart(), null, "<", null);
        }
        if (existing >= 0) {
            edit(SipScan.start(existing), SipScan.end(existing), null, param, null);
        } else {
            int at = uri.subscriberEnd();
            edit(at, at, null, param, null);
        }
        if (wrap) {
            edit(address.absUriEnd(), address.absUriEnd(), null, ">", null);
            // Without brackets, an upstream ";name=..." after the URI is a header parameter by the grammar,
            // but receivers read it as the number's: it is untrusted, so it goes.
            byte[] buf = msg.array();
            long header = SipScan.findParam(buf, address.absUriEnd(), address.absEnd(), name);
            if (header >= 0) {
                int semi = Ascii.lastIndexOf(buf, address.absUriEnd(), SipScan.start(header), (byte) ';');
                edit(semi, SipScan.end(header), null, null, null);
            }
        }
        return true;
    }

    /**
     * Sets the display name of {@code address} (a header's name-addr, e.g. P-Asserted-Identity) to {@code name},
     * quoted (RFC 3261 section 25.1: quote and backslash escaped, control characters dropped), replacing one
     * there. Only for an address in angle brackets; returns false (and no edit) otherwise.
     */
    public boolean setDisplayName(NameAddress address, String name) {
        if (!address.isBracketed()) {
            return false;
        }
        StringBuilder q = new StringBuilder(name.length() + 3).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c >= 0x20 && c != 0x7f) {
                q.append(c);
            }
        }
        q.append('"');
        if (address.absDisplayStart() >= 0) {
            edit(address.absDisplayStart(), address.absDisplayEnd(), null, q, null);
        } else {
            edit(address.absStart(), address.absStart(), null, q.append(' '), null);
        }
        return true;
    }

    private int firstLineStart() {
        return msg.headerCount() > 0 ? msg.lineStart(0) : msg.absHeadersEnd();
    }

    /** The encoded length in bytes. */
    public int encodedLength() {
        int len = msg.length();
        for (int k = 0; k < n; k++) {
            len -= ends[k] - starts[k];
            len += textLength(k);
        }
        return len;
    }

    private int textLength(int k) {
        int len = 0;
        if (names[k] != null) {
            len += names[k].length() + 4;
        }
        if (texts[k] != null) {
            len += utf8Length(texts[k]);
        }
        if (suffixes[k] != null) {
            len += utf8Length(suffixes[k]);
        }
        return len;
    }

    private static int utf8Length(CharSequence cs) {
        return cs instanceof AsciiString ? cs.length() : ByteBufUtil.utf8Bytes(cs);
    }

    /** A lower bound of the encoded length, exact for ASCII texts; cheap (no pass over the texts). */
    private int estimatedLength() {
        int len = msg.length();
        for (int k = 0; k < n; k++) {
            len -= ends[k] - starts[k];
            len += (names[k] != null ? names[k].length() + 4 : 0) + (texts[k] != null ? texts[k].length() : 0)
                    + (suffixes[k] != null ? suffixes[k].length() : 0);
        }
        return len;
    }

    /**
     * Writes the edited message into a new buffer from {@code alloc}. Texts given as {@link AsciiString}
     * (what the signer produces) are copied as bytes; other CharSequences are written as UTF-8.
     */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(estimatedLength());
        boolean ok = false;
        try {
            encode(out);
            ok = true;
            return out;
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    /** Writes the edited message to {@code out}. */
    public void encode(ByteBuf out) {
        sortEdits();
        byte[] buf = msg.array();
        int pos = msg.base();
        int end = pos + msg.length();
        for (int j = 0; j < n; j++) {
            int k = order[j];
            if (starts[k] < pos) {
                throw new IllegalStateException("overlapping edits at offset " + (starts[k] - msg.base()));
            }
            out.writeBytes(buf, pos, starts[k] - pos);
            if (names[k] != null) {
                out.writeCharSequence(names[k], io.netty.util.CharsetUtil.US_ASCII);
                out.writeBytes(COLON_SP);
            }
            if (texts[k] != null) {
                write(out, texts[k]);
            }
            if (suffixes[k] != null) {
                write(out, suffixes[k]);
            }
            if (names[k] != null) {
                out.writeShort(0x0d0a);
            }
            pos = ends[k];
        }
        out.writeBytes(buf, pos, end - pos);
    }

    private static void write(ByteBuf out, CharSequence text) {
        if (text instanceof AsciiString ascii) {
            out.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
        } else {
            ByteBufUtil.writeUtf8(out, text);
        }
    }

    /** Stable insertion sort by start (few edits; insertions at one place keep their order). */
    private void sortEdits() {
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        for (int a = 1; a < n; a++) {
            int k = order[a];
            int b = a - 1;
            while (b >= 0 && starts[order[b]] > starts[k]) {
                order[b + 1] = order[b];
                b--;
            }
            order[b + 1] = k;
        }
    }
}
