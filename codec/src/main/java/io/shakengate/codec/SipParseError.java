package io.shakengate.codec;

/**
 * Every way a SIP message can be malformed, with a stable numeric id (for counters and logs), the SIP
 * status a request with this problem is answered with, and the reason phrase that names the problem.
 *
 * <p>Ids are stable: never renumber, only append. A static check rejects duplicates at class load.
 */
public enum SipParseError {
    /** A datagram held only CR/LF/whitespace: a NAT keep-alive, not an error, but counted. */
    KEEPALIVE(1, 0, "Keep-alive"),
    /** The start line is longer than {@link SipDecoderConfig#maxStartLineBytes()}. */
    START_LINE_TOO_LONG(2, 414, "Request-URI Too Long"),
    /** The start line is neither a Request-Line nor a Status-Line (extra spaces, missing parts). */
    START_LINE_MALFORMED(3, 400, "Bad Request (malformed start line)"),
    /** The method is empty or has characters outside RFC 3261 token. */
    METHOD_INVALID(4, 400, "Bad Request (invalid method)"),
    /** The Request-URI does not start with a scheme or has forbidden characters. */
    REQUEST_URI_INVALID(5, 400, "Bad Request (invalid Request-URI)"),
    /** The SIP-Version is well formed but not 2.0. */
    VERSION_NOT_SUPPORTED(6, 505, "Version Not Supported"),
    /** The SIP-Version is not of the form SIP/x.y. */
    VERSION_INVALID(7, 400, "Bad Request (invalid SIP-Version)"),
    /** The Status-Code is not three digits between 100 and 699. */
    STATUS_CODE_INVALID(8, 0, "Invalid status code"),
    /** The header block (start line to the empty line) exceeds {@link SipDecoderConfig#maxHeaderBlockBytes()}. */
    HEADER_BLOCK_TOO_LARGE(9, 400, "Bad Request (header block too large)"),
    /** More header fields than {@link SipDecoderConfig#maxHeaderCount()}. */
    TOO_MANY_HEADERS(10, 400, "Bad Request (too many header fields)"),
    /** One header value (with its continuation lines) exceeds {@link SipDecoderConfig#maxHeaderValueBytes()}. */
    HEADER_VALUE_TOO_LONG(11, 400, "Bad Request (header value too long)"),
    /** A header line without a colon after its name. */
    HEADER_COLON_MISSING(12, 400, "Bad Request (header line without colon)"),
    /** A header name that is empty or has characters outside RFC 3261 token. */
    HEADER_NAME_INVALID(13, 400, "Bad Request (invalid header name)"),
    /** A continuation line (starting with SP or HT) before any header field. */
    CONTINUATION_WITHOUT_HEADER(14, 400, "Bad Request (continuation line without header)"),
    /** A datagram that ends before the empty line that closes the header block. */
    HEADER_BLOCK_UNTERMINATED(15, 400, "Bad Request (header block not terminated)"),
    /** Content-Length is not a non-negative decimal integer. */
    CONTENT_LENGTH_INVALID(16, 400, "Bad Request (invalid Content-Length)"),
    /** Several Content-Length header fields with different values. */
    CONTENT_LENGTH_CONFLICT(17, 400, "Bad Request (conflicting Content-Length)"),
    /** Content-Length larger than what the datagram carries after the headers. */
    CONTENT_LENGTH_EXCEEDS_DATAGRAM(18, 400, "Bad Request (Content-Length larger than datagram)"),
    /** A message on a stream transport without Content-Length (RFC 3261 section 18.3: MUST). */
    CONTENT_LENGTH_MISSING(19, 400, "Bad Request (Content-Length required on stream transports)"),
    /** The body is longer than {@link SipDecoderConfig#maxBodyBytes()}. */
    BODY_TOO_LARGE(20, 413, "Request Entity Too Large"),
    /** The datagram is longer than {@link SipDecoderConfig#maxDatagramBytes()}. */
    DATAGRAM_TOO_LARGE(21, 0, "Datagram too large"),
    /** Bytes that cannot start a SIP message (binary garbage, TLS or HTTP on a SIP port). */
    GARBAGE(22, 0, "Not a SIP message"),
    /** A Via header field (or one of its comma-separated values) that does not parse. */
    VIA_INVALID(30, 400, "Bad Request (invalid Via)"),
    /** From, To, Contact, Route, Record-Route or P-Asserted-Identity that does not parse as name-addr / addr-spec. */
    NAME_ADDR_INVALID(31, 400, "Bad Request (invalid name-addr)"),
    /** A URI that does not parse. */
    URI_INVALID(32, 400, "Bad Request (invalid URI)"),
    /** CSeq that is not "number method" with number below 2**31. */
    CSEQ_INVALID(33, 400, "Bad Request (invalid CSeq)"),
    /** The CSeq method differs from the Request-Line method. */
    CSEQ_METHOD_MISMATCH(34, 400, "Bad Request (CSeq method does not match)"),
    /** Max-Forwards that is not an integer between 0 and 255. */
    MAX_FORWARDS_INVALID(35, 400, "Bad Request (invalid Max-Forwards)"),
    /** A mandatory header (Via, From, To, Call-ID, CSeq) is missing. */
    MANDATORY_HEADER_MISSING(36, 400, "Bad Request (missing mandatory header)"),
    /** A Date header that is not an RFC 1123 date in GMT. */
    DATE_INVALID(37, 400, "Bad Request (invalid Date)"),
    /** An Identity header that does not parse (RFC 8224 section 4). */
    IDENTITY_INVALID(38, 438, "Invalid Identity Header"),
    /** A Request-URI that carries escaped headers (RFC 4475 section 3.1.2.11). */
    REQUEST_URI_HAS_HEADERS(39, 400, "Bad Request (headers in Request-URI)"),
    /** A Reason header that does not parse (RFC 3326). */
    REASON_INVALID(40, 400, "Bad Request (invalid Reason)"),
    /** A Call-ID that is empty or has whitespace. */
    CALL_ID_INVALID(41, 400, "Bad Request (invalid Call-ID)");

    private static final SipParseError[] BY_ID;

    static {
        int max = 0;
        for (SipParseError e : values()) {
            max = Math.max(max, e.id);
        }
        BY_ID = new SipParseError[max + 1];
        for (SipParseError e : values()) {
            if (BY_ID[e.id] != null) {
                throw new ExceptionInInitializerError("duplicate SipParseError id " + e.id);
            }
            BY_ID[e.id] = e;
        }
    }

    private final int id;
    private final int status;
    private final String reasonPhrase;

    SipParseError(int id, int status, String reasonPhrase) {
        this.id = id;
        this.status = status;
        this.reasonPhrase = reasonPhrase;
    }

    /** The stable id, for counters and logs. */
    public int id() {
        return id;
    }

    /** The SIP status a request with this problem gets, or 0 when it gets no answer (dropped). */
    public int status() {
        return status;
    }

    /** The reason phrase that names the problem, for the response's status line. */
    public String reasonPhrase() {
        return reasonPhrase;
    }

    /** The error with the given id, or null. */
    public static SipParseError ofId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
