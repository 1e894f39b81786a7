package io.shakengate.codec;

/**
 * Thrown by the lazily parsed typed views of {@link SipMessage} when a header does not parse. Carries the
 * {@link SipParseError} and the byte offset (from the start of the message) where parsing stopped.
 *
 * <p>It has no stack trace: malformed input is an expected outcome on an edge element, and filling stack
 * traces for attacker-controlled input costs more than the parsing. Decoders never let it escape the
 * pipeline; callers of the typed views catch it and answer with {@link SipParseError#status()}.
 */
public final class SipParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient SipParseError error;
    private final int offset;

    /** An exception for {@code error} found at {@code offset}. */
    public SipParseException(SipParseError error, int offset) {
        super(error.reasonPhrase() + " at offset " + offset, null, false, false);
        this.error = error;
        this.offset = offset;
    }

    /** What is wrong. */
    public SipParseError error() {
        return error;
    }

    /** Where, in bytes from the start of the message. */
    public int offset() {
        return offset;
    }
}
