package io.shakengate.codec.netty;

import io.shakengate.codec.SipParseError;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts decoded requests and responses and each {@link SipParseError} by its stable id. Safe for many
 * writer threads (each increment is one atomic add on its own slot); the proxy maps these onto its
 * exported counters.
 */
public final class SipParseErrorCounters implements SipDecoderListener {
    private final AtomicLongArray errors = new AtomicLongArray(SipParseError.values().length + 64);
    private final AtomicLongArray decoded = new AtomicLongArray(2);

    @Override
    public void decoded(boolean request) {
        decoded.incrementAndGet(request ? 0 : 1);
    }

    @Override
    public void rejected(SipParseError error) {
        errors.incrementAndGet(error.id());
    }

    /** How often {@code error} was seen. */
    public long count(SipParseError error) {
        return errors.get(error.id());
    }

    /** Requests decoded. */
    public long requests() {
        return decoded.get(0);
    }

    /** Responses decoded. */
    public long responses() {
        return decoded.get(1);
    }

    /** Sum of all rejections except keep-alives. */
    public long totalErrors() {
        long sum = 0;
        for (SipParseError e : SipParseError.values()) {
            if (e != SipParseError.KEEPALIVE) {
                sum += errors.get(e.id());
            }
        }
        return sum;
    }
}
