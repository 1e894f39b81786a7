package io.shakengate.crypto.passport;

/** Base64url without padding (RFC 7515 section 2), into caller buffers, with no allocation. */
public final class Base64Url {
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII);

    private Base64Url() {
    }

    /** Encoded length of {@code n} bytes. */
    public static int encodedLength(int n) {
        return (n / 3) * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
    }

    /** Encodes {@code src[off, off + len)} into {@code dst} at {@code at}; returns the index after the output. */
    public static int encode(byte[] src, int off, int len, byte[] dst, int at) {
        int end = off + len - len % 3;
        int o = at;
        for (int i = off; i < end; i += 3) {
            int v = (src[i] & 0xff) << 16 | (src[i + 1] & 0xff) << 8 | (src[i + 2] & 0xff);
            dst[o] = ALPHABET[v >>> 18];
            dst[o + 1] = ALPHABET[(v >>> 12) & 63];
            dst[o + 2] = ALPHABET[(v >>> 6) & 63];
            dst[o + 3] = ALPHABET[v & 63];
            o += 4;
        }
        int rest = len % 3;
        if (rest == 1) {
            int v = (src[end] & 0xff) << 16;
            dst[o++] = ALPHABET[v >>> 18];
            dst[o++] = ALPHABET[(v >>> 12) & 63];
        } else if (rest == 2) {
            int v = (src[end] & 0xff) << 16 | (src[end + 1] & 0xff) << 8;
            dst[o++] = ALPHABET[v >>> 18];
            dst[o++] = ALPHABET[(v >>> 12) & 63];
            dst[o++] = ALPHABET[(v >>> 6) & 63];
        }
        return o;
    }

    /** {@code src} as unpadded base64url text. */
    public static String encode(byte[] src) {
        byte[] out = new byte[encodedLength(src.length)];
        int n = encode(src, 0, src.length, out, 0);
        return new String(out, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
