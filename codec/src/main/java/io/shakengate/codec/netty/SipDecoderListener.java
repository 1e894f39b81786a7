package io.shakengate.codec.netty;

import io.shakengate.codec.SipParseError;

/**
 * Told of every message a decoder frames and every one it rejects, for counters. Called on the channel's
 * event loop; implementations must be cheap and must not block.
 */
public interface SipDecoderListener {
    /** A listener that counts nothing. */
    SipDecoderListener NONE = new SipDecoderListener() {
    };

    /** A message was framed and passed on. */
    default void decoded(boolean request) {
    }

    /** A message was rejected (or, for {@link SipParseError#KEEPALIVE}, a keep-alive was read). */
    default void rejected(SipParseError error) {
    }
}
