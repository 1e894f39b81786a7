package io.shakengate.crypto.cache;

import java.util.concurrent.CompletableFuture;

/** Gets the body published at an x5u URL, asynchronously, never on the caller's thread. */
public interface CertificateFetcher {
    /**
     * A fetch outcome: the body and the caching headers, or a failure.
     *
     * @param status       HTTP status, 0 when no response was received
     * @param body         the body (status 200), else null
     * @param cacheControl the Cache-Control header, or null
     * @param expires      the Expires header, or null
     * @param failure      what went wrong, or null
     */
    record Response(int status, byte[] body, String cacheControl, String expires, String failure) {
        /** A failed fetch. */
        public static Response failed(int status, String why) {
            return new Response(status, null, null, null, why);
        }
    }

    /** Fetches {@code url}; the future never completes exceptionally (failures are responses). */
    CompletableFuture<Response> fetch(String url);
}
