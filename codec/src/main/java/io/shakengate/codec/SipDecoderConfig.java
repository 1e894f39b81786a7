package io.shakengate.codec;

/**
 * Limits of the SIP decoders. Each limit has its own {@link SipParseError}, so a rejected message says
 * which limit it broke, and each is a documented setting of the appliance.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>Setting</th><th>Default</th><th>Error when exceeded</th></tr>
 *   <tr><td>maxStartLineBytes</td><td>{@value #DEFAULT_MAX_START_LINE_BYTES}</td><td>START_LINE_TOO_LONG (414)</td></tr>
 *   <tr><td>maxHeaderBlockBytes</td><td>{@value #DEFAULT_MAX_HEADER_BLOCK_BYTES}</td><td>HEADER_BLOCK_TOO_LARGE (400)</td></tr>
 *   <tr><td>maxHeaderCount</td><td>{@value #DEFAULT_MAX_HEADER_COUNT}</td><td>TOO_MANY_HEADERS (400)</td></tr>
 *   <tr><td>maxHeaderValueBytes</td><td>{@value #DEFAULT_MAX_HEADER_VALUE_BYTES}</td><td>HEADER_VALUE_TOO_LONG (400)</td></tr>
 *   <tr><td>maxBodyBytes</td><td>{@value #DEFAULT_MAX_BODY_BYTES}</td><td>BODY_TOO_LARGE (413)</td></tr>
 *   <tr><td>maxDatagramBytes</td><td>{@value #DEFAULT_MAX_DATAGRAM_BYTES}</td><td>DATAGRAM_TOO_LARGE (dropped)</td></tr>
 * </table>
 *
 * <p>The header block includes the start line. A SHAKEN INVITE with one Identity header has a header block
 * of about 1.2 KB; the defaults leave room for several Identity headers, long Via chains and RFC 4475's
 * long-value torture message (3.5 KB).
 *
 * @param maxStartLineBytes   longest start line, without its CRLF
 * @param maxHeaderBlockBytes longest header block: start line, header fields, up to the empty line
 * @param maxHeaderCount      most header field lines (continuation lines do not count)
 * @param maxHeaderValueBytes longest value of one header field, continuation lines included
 * @param maxBodyBytes        longest body
 * @param maxDatagramBytes    longest datagram accepted; also the UDP receive buffer size
 */
public record SipDecoderConfig(int maxStartLineBytes, int maxHeaderBlockBytes, int maxHeaderCount,
                               int maxHeaderValueBytes, int maxBodyBytes, int maxDatagramBytes) {

    /** Default {@link #maxStartLineBytes()}. */
    public static final int DEFAULT_MAX_START_LINE_BYTES = 4096;
    /** Default {@link #maxHeaderBlockBytes()}. */
    public static final int DEFAULT_MAX_HEADER_BLOCK_BYTES = 32768;
    /** Default {@link #maxHeaderCount()}. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 128;
    /** Default {@link #maxHeaderValueBytes()}. */
    public static final int DEFAULT_MAX_HEADER_VALUE_BYTES = 8192;
    /** Default {@link #maxBodyBytes()}. */
    public static final int DEFAULT_MAX_BODY_BYTES = 65536;
    /** Default {@link #maxDatagramBytes()}: the largest UDP payload over IPv4 (65,535 - 8 - 20). */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 65507;

    /** Offsets inside a message are kept in 24 bits (see {@link SipMessage}), so no limit may exceed this. */
    static final int MAX_MESSAGE_OFFSET = (1 << 24) - 1;

    /** The defaults. */
    public static final SipDecoderConfig DEFAULT = new SipDecoderConfig(DEFAULT_MAX_START_LINE_BYTES,
            DEFAULT_MAX_HEADER_BLOCK_BYTES, DEFAULT_MAX_HEADER_COUNT, DEFAULT_MAX_HEADER_VALUE_BYTES,
            DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DATAGRAM_BYTES);

    /** Validates every limit; the message names the setting. */
    public SipDecoderConfig {
        check("maxStartLineBytes", maxStartLineBytes, 32, 65535);
        check("maxHeaderBlockBytes", maxHeaderBlockBytes, 256, MAX_MESSAGE_OFFSET / 2);
        check("maxHeaderCount", maxHeaderCount, 8, 4096);
        check("maxHeaderValueBytes", maxHeaderValueBytes, 64, MAX_MESSAGE_OFFSET / 2);
        check("maxBodyBytes", maxBodyBytes, 0, MAX_MESSAGE_OFFSET / 2);
        check("maxDatagramBytes", maxDatagramBytes, 512, 65507);
        if (maxStartLineBytes > maxHeaderBlockBytes) {
            throw new IllegalArgumentException("maxStartLineBytes (" + maxStartLineBytes
                    + ") must not exceed maxHeaderBlockBytes (" + maxHeaderBlockBytes + ")");
        }
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** A copy with another {@link #maxStartLineBytes()}. */
    public SipDecoderConfig withMaxStartLineBytes(int v) {
        return new SipDecoderConfig(v, maxHeaderBlockBytes, maxHeaderCount, maxHeaderValueBytes, maxBodyBytes,
                maxDatagramBytes);
    }

    /** A copy with another {@link #maxHeaderBlockBytes()}. */
    public SipDecoderConfig withMaxHeaderBlockBytes(int v) {
        return new SipDecoderConfig(maxStartLineBytes, v, maxHeaderCount, maxHeaderValueBytes, maxBodyBytes,
                maxDatagramBytes);
    }

    /** A copy with another {@link #maxHeaderCount()}. */
    public SipDecoderConfig withMaxHeaderCount(int v) {
        return new SipDecoderConfig(maxStartLineBytes, maxHeaderBlockBytes, v, maxHeaderValueBytes, maxBodyBytes,
                maxDatagramBytes);
    }

    /** A copy with another {@link #maxHeaderValueBytes()}. */
    public SipDecoderConfig withMaxHeaderValueBytes(int v) {
        return new SipDecoderConfig(maxStartLineBytes, maxHeaderBlockBytes, maxHeaderCount, v, maxBodyBytes,
                maxDatagramBytes);
    }

    /** A copy with another {@link #maxBodyBytes()}. */
    public SipDecoderConfig withMaxBodyBytes(int v) {
        return new SipDecoderConfig(maxStartLineBytes, maxHeaderBlockBytes, maxHeaderCount, maxHeaderValueBytes, v,
                maxDatagramBytes);
    }

    /** A copy with another {@link #maxDatagramBytes()}. */
    public SipDecoderConfig withMaxDatagramBytes(int v) {
        return new SipDecoderConfig(maxStartLineBytes, maxHeaderBlockBytes, maxHeaderCount, maxHeaderValueBytes,
                maxBodyBytes, v);
    }
}
