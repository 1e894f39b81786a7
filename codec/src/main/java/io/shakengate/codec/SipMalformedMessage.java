package io.shakengate.codec;

import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * What a decoder passes on instead of a message that did not parse: the {@link SipParseError}, where it was
 * found, and what could be read of the request (start line and the headers before the problem), so that a
 * handler can still answer it ({@link SipResponses#forError}). The partial message is null when nothing
 * answerable was read. Reference counted: releasing it releases the partial message.
 */
public final class SipMalformedMessage extends AbstractReferenceCounted {
    private final SipParseError error;
    private final int offset;
    private final SipMessage partial;
    private final boolean datagram;

    /** A failure; takes ownership of {@code partial} (may be null). */
    public SipMalformedMessage(SipParseError error, int offset, SipMessage partial, boolean datagram) {
        this.error = error;
        this.offset = offset;
        this.partial = partial;
        this.datagram = datagram;
    }

    /** True if it came in a datagram (answer to the sender), false on a stream (answer, then close). */
    public boolean isDatagram() {
        return datagram;
    }

    /** What is wrong. */
    public SipParseError error() {
        return error;
    }

    /** Where, in bytes from the start of the message. */
    public int offset() {
        return offset;
    }

    /** What was read of the request, or null. */
    public SipMessage partial() {
        return partial;
    }

    @Override
    protected void deallocate() {
        if (partial != null) {
            partial.release();
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        if (partial != null) {
            partial.touch(hint);
        }
        return this;
    }

    @Override
    public String toString() {
        return "SipMalformedMessage(" + error + " at " + offset + ")";
    }
}
