package io.shakengate.codec;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The one parsing core behind both decoders: frames a SIP message in a buffer region and indexes its start
 * line and header fields, without creating a String or a per-header object.
 *
 * <p>It frames and indexes; it does not interpret header values. Typed values are parsed on demand by
 * {@link SipMessage}'s views. The rules it enforces are the ones framing needs: a Request-Line or
 * Status-Line, header lines of the form {@code name ":" value} with continuation lines, the empty line,
 * Content-Length and every limit of {@link SipDecoderConfig}.
 *
 * <p>Not thread-safe: one instance per channel (stream) or per event-loop thread (datagrams). A result is
 * valid until the next {@link #parse} call.
 */
public final class SipParser {
    /** {@link #parse} result: the region ends before the message does (stream transports only). */
    public static final int NEED_MORE = -1;
    /** {@link #parse} result: the message is malformed; see {@link #error()}. */
    public static final int ERROR = -2;

    private final SipDecoderConfig config;
    private int[] scratch = new int[3 * 32];
    private int count;

    private SipParseError error;
    private int errorOffset;
    private boolean startLineValid;

    private int start;
    private int t0s;
    private int t0e;
    private int t1s;
    private int t1e;
    private int t2s;
    private int t2e;
    private int statusCode;
    private SipMethod method;
    private int headersEnd;
    private int bodyStart;
    private long contentLength;

    /** A parser with the given limits. */
    public SipParser(SipDecoderConfig config) {
        this.config = config;
    }

    /** The limits in force. */
    public SipDecoderConfig config() {
        return config;
    }

    /**
     * Parses the message that starts at {@code from} of {@code buf} (after optional leading CRLFs, which are
     * skipped). The decoders copy a message's bytes once into a pooled heap buffer and parse its array: plain
     * array reads are several times cheaper than ByteBuf accessors, and the typed views read the same array.
     *
     * @param datagram true if {@code [from, end)} is one whole datagram: a body without Content-Length runs
     *                 to its end, and bytes after the body are ignored (RFC 3261 section 18.3)
     * @return the index just after the message, or {@link #NEED_MORE}, or {@link #ERROR}
     */
    public int parse(byte[] buf, int from, int end, boolean datagram) {
        reset();
        int s = from;
        while (s < end && Ascii.isWs(buf[s])) {
            s++;
        }
        start = s;
        if (s == end) {
            if (datagram) {
                return fail(SipParseError.KEEPALIVE, 0);
            }
            return NEED_MORE;
        }
        int blockLimit = (int) Math.min(end, (long) s + config.maxHeaderBlockBytes() + 2);
        int lf = Ascii.indexOf(buf, s, Math.min(blockLimit, s + config.maxStartLineBytes() + 2), Ascii.LF);
        if (lf < 0) {
            if (end - s > config.maxStartLineBytes() + 1) {
                return fail(SipParseError.START_LINE_TOO_LONG, 0);
            }
            if (!looksLikeStartLine(buf, s, end)) {
                return fail(SipParseError.GARBAGE, 0);
            }
            return datagram ? fail(SipParseError.HEADER_BLOCK_UNTERMINATED, end - s) : NEED_MORE;
        }
        int lineEnd = lf > s && buf[lf - 1] == Ascii.CR ? lf - 1 : lf;
        SipParseError startLineError = parseStartLine(buf, s, lineEnd);
        if (startLineError == SipParseError.GARBAGE) {
            return fail(startLineError, 0);
        }
        startLineValid = startLineError == null;
        int r = parseHeaders(buf, lf + 1, end, blockLimit, datagram);
        if (r < 0 && r != ERROR) {
            return r;
        }
        if (startLineError != null) {
            // The headers parsed so far stay available so that a request can still be answered (400/505).
            return fail(startLineError, 0);
        }
        if (r == ERROR) {
            return ERROR;
        }
        return frameBody(buf, end, datagram);
    }

    private int parseHeaders(byte[] buf, int pos, int end, int blockLimit, boolean datagram) {
        int valueLimit = config.maxHeaderValueBytes();
        while (true) {
            int lf = Ascii.indexOf(buf, pos, blockLimit, Ascii.LF);
            if (lf < 0) {
                if (blockLimit < end || end - start >= config.maxHeaderBlockBytes() + 2) {
                    return fail(SipParseError.HEADER_BLOCK_TOO_LARGE, pos - start);
                }
                return datagram ? fail(SipParseError.HEADER_BLOCK_UNTERMINATED, end - start) : NEED_MORE;
            }
            int lineEnd = lf > pos && buf[lf - 1] == Ascii.CR ? lf - 1 : lf;
            if (lineEnd == pos) {
                headersEnd = pos - start;
                bodyStart = lf + 1 - start;
                return 0;
            }
            byte first = buf[pos];
            if (first == Ascii.SP || first == Ascii.HT) {
                if (count == 0) {
                    return fail(SipParseError.CONTINUATION_WITHOUT_HEADER, pos - start);
                }
                int cs = Ascii.skipWs(buf, pos, lineEnd);
                if (cs < lineEnd) {
                    int i = 3 * (count - 1);
                    int ce = Ascii.trimEnd(buf, cs, lineEnd) - start;
                    if ((scratch[i + 1] & 0xffffff) == scratch[i + 2]) {
                        scratch[i + 1] = (scratch[i + 1] & 0xff000000) | (cs - start);
                    }
                    scratch[i + 2] = ce;
                    if (ce - (scratch[i + 1] & 0xffffff) > valueLimit) {
                        return fail(SipParseError.HEADER_VALUE_TOO_LONG, pos - start);
                    }
                }
            } else {
                int r = header(buf, pos, lineEnd, valueLimit);
                if (r != 0) {
                    return r;
                }
            }
            pos = lf + 1;
        }
    }

    private int header(byte[] buf, int pos, int lineEnd, int valueLimit) {
        int nameEnd = pos;
        while (nameEnd < lineEnd && Ascii.isToken(buf[nameEnd])) {
            nameEnd++;
        }
        if (nameEnd == pos) {
            return fail(SipParseError.HEADER_NAME_INVALID, pos - start);
        }
        int colon = nameEnd;
        while (colon < lineEnd && (buf[colon] == Ascii.SP || buf[colon] == Ascii.HT)) {
            colon++;
        }
        if (colon == lineEnd) {
            return fail(SipParseError.HEADER_COLON_MISSING, pos - start);
        }
        if (buf[colon] != ':') {
            return fail(SipParseError.HEADER_NAME_INVALID, colon - start);
        }
        if (count == config.maxHeaderCount()) {
            return fail(SipParseError.TOO_MANY_HEADERS, pos - start);
        }
        int vs = Ascii.skipWs(buf, colon + 1, lineEnd);
        int ve = Ascii.trimEnd(buf, vs, lineEnd);
        if (ve - vs > valueLimit) {
            return fail(SipParseError.HEADER_VALUE_TOO_LONG, pos - start);
        }
        SipHeaderName name = SipHeaderName.of(buf, pos, nameEnd);
        int i = 3 * count;
        if (i + 3 > scratch.length) {
            scratch = Arrays.copyOf(scratch, scratch.length * 2);
        }
        scratch[i] = pos - start;
        scratch[i + 1] = (name.ordinal() << 24) | (vs - start);
        scratch[i + 2] = ve - start;
        count++;
        return 0;
    }

    private int frameBody(byte[] buf, int end, boolean datagram) {
        contentLength = -1;
        int clOrdinal = SipHeaderName.CONTENT_LENGTH.ordinal();
        for (int h = 0; h < count; h++) {
            if (scratch[3 * h + 1] >>> 24 == clOrdinal) {
                int vs = start + (scratch[3 * h + 1] & 0xffffff);
                int ve = start + scratch[3 * h + 2];
                long v = Ascii.parseDecimal(buf, vs, ve, Integer.MAX_VALUE);
                if (v < 0) {
                    return fail(SipParseError.CONTENT_LENGTH_INVALID, vs - start);
                }
                if (contentLength >= 0 && contentLength != v) {
                    return fail(SipParseError.CONTENT_LENGTH_CONFLICT, vs - start);
                }
                contentLength = v;
            }
        }
        int available = end - (start + bodyStart);
        if (datagram) {
            if (contentLength < 0) {
                contentLength = available;
            } else if (contentLength > available) {
                return fail(SipParseError.CONTENT_LENGTH_EXCEEDS_DATAGRAM, headersEnd);
            }
        } else if (contentLength < 0) {
            return fail(SipParseError.CONTENT_LENGTH_MISSING, headersEnd);
        }
        if (contentLength > config.maxBodyBytes()) {
            return fail(SipParseError.BODY_TOO_LARGE, headersEnd);
        }
        if (contentLength > available) {
            return NEED_MORE;
        }
        return start + bodyStart + (int) contentLength;
    }

    private SipParseError parseStartLine(byte[] buf, int s, int e) {
        if (e - s >= 4 && Ascii.equalsIgnoreCase(buf, s, s + 4, "SIP/")) {
            return parseStatusLine(buf, s, e);
        }
        if (!Ascii.isToken(buf[s])) {
            return SipParseError.GARBAGE;
        }
        int p = s;
        while (p < e && Ascii.isToken(buf[p])) {
            p++;
        }
        if (p == e) {
            return SipParseError.START_LINE_MALFORMED;
        }
        if (buf[p] != Ascii.SP) {
            return SipParseError.METHOD_INVALID;
        }
        t0s = s - start;
        t0e = p - start;
        int us = p + 1;
        int sp2 = Ascii.indexOf(buf, us, e, Ascii.SP);
        if (sp2 < 0 || sp2 == us) {
            return SipParseError.START_LINE_MALFORMED;
        }
        t1s = us - start;
        t1e = sp2 - start;
        t2s = sp2 + 1 - start;
        t2e = e - start;
        if (Ascii.indexOf(buf, sp2 + 1, e, Ascii.SP) >= 0 || sp2 + 1 == e) {
            return SipParseError.START_LINE_MALFORMED;
        }
        if (!isValidRequestUri(buf, us, sp2)) {
            return SipParseError.REQUEST_URI_INVALID;
        }
        SipParseError v = checkVersion(buf, sp2 + 1, e);
        if (v != null) {
            return v;
        }
        method = SipMethod.of(buf, s, p);
        return null;
    }

    private SipParseError parseStatusLine(byte[] buf, int s, int e) {
        int sp1 = Ascii.indexOf(buf, s, e, Ascii.SP);
        if (sp1 < 0) {
            return SipParseError.START_LINE_MALFORMED;
        }
        t0s = s - start;
        t0e = sp1 - start;
        SipParseError v = checkVersion(buf, s, sp1);
        if (v != null) {
            return v == SipParseError.VERSION_NOT_SUPPORTED ? SipParseError.VERSION_INVALID : v;
        }
        int cs = sp1 + 1;
        int ce = cs;
        while (ce < e && Ascii.isDigit(buf[ce])) {
            ce++;
        }
        if (ce - cs != 3 || (ce < e && buf[ce] != Ascii.SP)) {
            return SipParseError.STATUS_CODE_INVALID;
        }
        int code = (int) Ascii.parseDecimal(buf, cs, ce, 999);
        if (code < 100 || code > 699) {
            return SipParseError.STATUS_CODE_INVALID;
        }
        statusCode = code;
        t1s = cs - start;
        t1e = ce - start;
        t2s = Math.min(ce + 1, e) - start;
        t2e = e - start;
        return null;
    }

    private static boolean isValidRequestUri(byte[] buf, int s, int e) {
        if (!Ascii.isAlpha(buf[s])) {
            return false;
        }
        int p = s + 1;
        while (p < e) {
            byte b = buf[p];
            if (b == ':') {
                break;
            }
            if (!Ascii.isAlpha(b) && !Ascii.isDigit(b) && b != '+' && b != '-' && b != '.') {
                return false;
            }
            p++;
        }
        if (p >= e - 1) {
            return false;
        }
        for (int i = p + 1; i < e; i++) {
            byte b = buf[i];
            if ((b & 0xff) <= 0x20 || b == 0x7f || b == '<' || b == '>' || b == '"') {
                return false;
            }
        }
        return true;
    }

    /** "SIP/2.0" (case-insensitive "SIP"), else VERSION_NOT_SUPPORTED for another SIP/x.y, else VERSION_INVALID. */
    private static SipParseError checkVersion(byte[] buf, int s, int e) {
        if (e - s < 7 || !Ascii.equalsIgnoreCase(buf, s, s + 4, "SIP/")) {
            return SipParseError.VERSION_INVALID;
        }
        int dot = Ascii.indexOf(buf, s + 4, e, (byte) '.');
        if (dot < 0 || Ascii.parseDecimal(buf, s + 4, dot, 999) < 0 || Ascii.parseDecimal(buf, dot + 1, e, 999) < 0) {
            return SipParseError.VERSION_INVALID;
        }
        return Ascii.equals(buf, s + 4, e, "2.0") ? null : SipParseError.VERSION_NOT_SUPPORTED;
    }

    private static boolean looksLikeStartLine(byte[] buf, int s, int end) {
        int n = Math.min(end, s + 16);
        for (int i = s; i < n; i++) {
            byte b = buf[i];
            if (b == Ascii.SP || b == '/') {
                return i > s;
            }
            if (!Ascii.isToken(b)) {
                return false;
            }
        }
        return true;
    }

    private void reset() {
        count = 0;
        error = null;
        errorOffset = 0;
        startLineValid = false;
        t0s = t0e = t1s = t1e = t2s = t2e = 0;
        statusCode = 0;
        method = SipMethod.OTHER;
        headersEnd = -1;
        bodyStart = -1;
        contentLength = -1;
    }

    private int fail(SipParseError e, int offset) {
        error = e;
        errorOffset = offset;
        return ERROR;
    }

    /** The error of the last {@link #parse} that returned {@link #ERROR}. */
    public SipParseError error() {
        return error;
    }

    /** Where the error was found, in bytes from {@link #messageStart()}. */
    public int errorOffset() {
        return errorOffset;
    }

    /** Bytes from the message start to its body (header block and empty line), or -1 if not yet known. */
    public int headerBlockLength() {
        return bodyStart;
    }

    /** The Content-Length of the last parse, or -1 when absent or not yet known. */
    public int declaredContentLength() {
        return (int) contentLength;
    }

    /** Index where the message starts (after skipped leading CRLFs). */
    public int messageStart() {
        return start;
    }

    /**
     * True if a request line was read and at least one header field, so that a failed request may still be
     * answered from {@link #buildPartial}.
     */
    public boolean isRequestLike() {
        return statusCode == 0 && count > 0 && error != SipParseError.GARBAGE && error != SipParseError.KEEPALIVE;
    }

    /**
     * The message of the last successful {@link #parse}, over {@code buf} (which must have a backing array,
     * the one that was parsed) where the message starts at reader index {@code base}; the message takes over
     * the caller's reference to {@code buf}.
     */
    public SipMessage build(ByteBuf buf, int base, int length) {
        return SipMessage.newInstance(buf, base, length, scratch, count, statusCode, method,
                startLineValid, t0s, t0e, t1s, t1e, t2s, t2e, headersEnd, bodyStart, (int) contentLength);
    }

    /**
     * What was read of a message that failed: its start line (if any) and the header fields before the
     * failure, with no body. Used to answer a malformed request; {@code buf} as in {@link #build}.
     */
    public SipMessage buildPartial(ByteBuf buf, int base, int length) {
        int he = headersEnd >= 0 ? headersEnd : length;
        return SipMessage.newInstance(buf, base, length, scratch, count, statusCode, method,
                startLineValid, t0s, t0e, t1s, t1e, t2s, t2e, he, Math.min(length, he), 0);
    }
}
