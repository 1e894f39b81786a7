package io.shakengate.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Byte classes of the RFC 3261 grammar and small helpers over byte-array regions. Not
 * public API. */
final class Ascii {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c : "-.!%*_+`'~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private Ascii() {
    }

    /** RFC 3261 token character. */
    static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    /** SP, HT, CR or LF: whitespace inside a (possibly folded) header value. */
    static boolean isWs(byte b) {
        return b == SP || b == HT || b == CR || b == LF;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isAlpha(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** First index in [from, end) that is not whitespace, or end. */
    static int skipWs(byte[] buf, int from, int end) {
        while (from < end && isWs(buf[from])) {
            from++;
        }
        return from;
    }

    /** End of [start, end) with trailing whitespace removed. */
    static int trimEnd(byte[] buf, int start, int end) {
        while (end > start && isWs(buf[end - 1])) {
            end--;
        }
        return end;
    }

    /** Latin-1 String of the bytes (one allocation; Netty's fast path for single-byte charsets). */
    static String latin1(byte[] buf, int start, int end) {
        return end <= start ? "" : new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** UTF-8 String of the bytes, for display names, reason phrases and unknown header values. */
    static String utf8(byte[] buf, int start, int end) {
        return end <= start ? "" : new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    /** True if [start, end) equals {@code s} ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] buf, int start, int end, String s) {
        if (end - start != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (toLower(buf[start + i]) != toLower((byte) s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True if [start, end) equals {@code s} exactly. */
    static boolean equals(byte[] buf, int start, int end, String s) {
        if (end - start != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (buf[start + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * Index of {@code b} in [from, end), or -1. Eight bytes at a time (SWAR: a word XOR the pattern has a zero
     * byte exactly where {@code b} is), since finding line ends is most of the work of framing.
     */
    static int indexOf(byte[] buf, int from, int end, byte b) {
        long pattern = (b & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(buf, i) ^ pattern;
            long t = (x - ONES) & ~x & HIGHS;
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first of {@code b1}, {@code b2} or {@code b3} in [from, end), or -1; eight bytes at a time. */
    static int indexOfAny(byte[] buf, int from, int end, byte b1, byte b2, byte b3) {
        long p1 = (b1 & 0xffL) * ONES;
        long p2 = (b2 & 0xffL) * ONES;
        long p3 = (b3 & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= end; i += 8) {
            long w = (long) LONGS.get(buf, i);
            long x1 = w ^ p1;
            long x2 = w ^ p2;
            long x3 = w ^ p3;
            long t = ((x1 - ONES) & ~x1 | (x2 - ONES) & ~x2 | (x3 - ONES) & ~x3) & HIGHS;
            if (t != 0) {
                // the lowest flagged byte is exact; higher ones may be false positives, so check from it
                int j = i + (Long.numberOfTrailingZeros(t) >>> 3);
                for (; j < i + 8; j++) {
                    byte b = buf[j];
                    if (b == b1 || b == b2 || b == b3) {
                        return j;
                    }
                }
            }
        }
        for (; i < end; i++) {
            byte b = buf[i];
            if (b == b1 || b == b2 || b == b3) {
                return i;
            }
        }
        return -1;
    }

    /** Last index of {@code b} in [from, end), or -1. */
    static int lastIndexOf(byte[] buf, int from, int end, byte b) {
        for (int i = end - 1; i >= from; i--) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Parses a non-negative decimal in [start, end); -1 if empty, not all digits, or above {@code max}.
     */
    static long parseDecimal(byte[] buf, int start, int end, long max) {
        if (start >= end) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (!isDigit(b)) {
                return -1;
            }
            v = v * 10 + (b - '0');
            if (v > max) {
                return -1;
            }
        }
        return v;
    }
}
