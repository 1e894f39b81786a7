package io.shakengate.crypto.passport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a SHAKEN PASSporT's signing input, {@code BASE64URL(header) "." BASE64URL(payload)}, in the
 * deterministic JSON of RFC 8225 section 9: members in lexicographic key order (recursively), no whitespace,
 * integers without fraction, strings escaped only where JSON requires it. For SHAKEN that is
 * <pre>
 *   {"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"..."}
 *   {"attest":"A","dest":{"tn":["...",...]},"iat":N,"orig":{"tn":"..."},"origid":"..."}
 * </pre>
 * with the destination numbers sorted. The header segment depends only on {@code x5u}, so it is encoded
 * once, at construction.
 *
 * <p>Reusable and not thread-safe: one per thread (the scratch buffers grow once, then nothing is allocated
 * per call).
 */
public final class PassportEncoder {
    private final String x5u;
    private final byte[] headerSegment;
    private byte[] json = new byte[256];
    private byte[] out = new byte[512];
    private int outLength;
    private int jsonLength;
    private String[] sortScratch = new String[4];

    /** An encoder for PASSporTs whose certificate is at {@code x5u}. */
    public PassportEncoder(String x5u) {
        this.x5u = x5u;
        jsonLength = 0;
        appendAscii("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":");
        appendString(x5u);
        appendAscii("}");
        byte[] h = new byte[Base64Url.encodedLength(jsonLength)];
        Base64Url.encode(json, 0, jsonLength, h, 0);
        headerSegment = h;
    }

    /** The certificate URL this encoder writes into the header. */
    public String x5u() {
        return x5u;
    }

    /** The canonical payload JSON of {@code claims} (for tests and logs). */
    public String payloadJson(ShakenClaims claims) {
        writePayload(claims);
        return new String(json, 0, jsonLength, StandardCharsets.UTF_8);
    }

    /**
     * Encodes the signing input of {@code claims}; read it with {@link #buffer()} and {@link #length()} until
     * the next call.
     */
    public void encode(ShakenClaims claims) {
        writePayload(claims);
        int need = headerSegment.length + 1 + Base64Url.encodedLength(jsonLength) + 1 + 86;
        if (out.length < need) {
            out = Arrays.copyOf(out, Math.max(need, out.length * 2));
        }
        System.arraycopy(headerSegment, 0, out, 0, headerSegment.length);
        out[headerSegment.length] = '.';
        outLength = Base64Url.encode(json, 0, jsonLength, out, headerSegment.length + 1);
    }

    /**
     * The buffer holding the signing input at {@code [0, length())}, with room after it for
     * {@code "." BASE64URL(signature)} (87 bytes).
     */
    public byte[] buffer() {
        return out;
    }

    /** Length of the signing input in {@link #buffer()}. */
    public int length() {
        return outLength;
    }

    private void writePayload(ShakenClaims c) {
        jsonLength = 0;
        appendAscii("{\"attest\":\"");
        appendAscii(c.attest().name());
        appendAscii("\",\"dest\":{\"tn\":[");
        List<String> dest = c.destTns();
        int n = dest.size();
        if (sortScratch.length < n) {
            sortScratch = new String[n];
        }
        for (int i = 0; i < n; i++) {
            sortScratch[i] = dest.get(i);
        }
        if (n > 1) {
            Arrays.sort(sortScratch, 0, n);
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                appendByte(',');
            }
            appendString(sortScratch[i]);
            sortScratch[i] = null;
        }
        appendAscii("]},\"iat\":");
        appendLong(c.iat());
        appendAscii(",\"orig\":{\"tn\":");
        appendString(c.origTn());
        appendAscii("},\"origid\":");
        appendString(c.origid());
        appendByte('}');
    }

    private void ensure(int more) {
        if (jsonLength + more > json.length) {
            json = Arrays.copyOf(json, Math.max(json.length * 2, jsonLength + more));
        }
    }

    private void appendByte(int b) {
        ensure(1);
        json[jsonLength++] = (byte) b;
    }

    private void appendAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            json[jsonLength++] = (byte) s.charAt(i);
        }
    }

    private void appendLong(long v) {
        appendAscii(Long.toString(v));
    }

    /** A JSON string: quotes, backslash and control characters escaped, UTF-8 for the rest. */
    private void appendString(String s) {
        appendByte('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                appendByte('\\');
                appendByte(c);
            } else if (c < 0x20) {
                appendAscii(String.format("\\u%04x", (int) c));
            } else if (c < 0x80) {
                appendByte(c);
            } else {
                byte[] utf8 = String.valueOf(Character.isHighSurrogate(c) && i + 1 < s.length()
                        ? new String(new char[] {c, s.charAt(++i)}) : c).getBytes(StandardCharsets.UTF_8);
                ensure(utf8.length);
                System.arraycopy(utf8, 0, json, jsonLength, utf8.length);
                jsonLength += utf8.length;
            }
        }
        appendByte('"');
    }
}
