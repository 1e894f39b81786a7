package io.shakengate.crypto;

import io.shakengate.crypto.x509.ChainValidator;

import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the verifier gets the chain published at an {@code x5u} URL: the certificate cache (fetching off
 * the caller's thread, see {@code cache.CertificateCache}), or fixed bodies in tests.
 */
public interface CertificateSource {
    /**
     * A chain (end entity first) or a failure. It remembers its validation result, so that a cached chain is
     * path-validated once and only its certificates' validity dates are checked on each later use.
     */
    final class Chain {
        private final List<X509Certificate> certificates;
        private final String failure;
        private volatile Validation memo;

        private record Validation(ChainValidator validator, ChainValidator.Result result) {
        }

        /** The chain's validity window (latest notBefore, earliest notAfter), in ms: read once, not per call. */
        private final long validFrom;
        private final long validUntil;

        private Chain(List<X509Certificate> certificates, String failure) {
            this.certificates = certificates;
            this.failure = failure;
            long from = Long.MIN_VALUE;
            long until = Long.MAX_VALUE;
            for (X509Certificate c : certificates) {
                from = Math.max(from, c.getNotBefore().getTime());
                until = Math.min(until, c.getNotAfter().getTime());
            }
            this.validFrom = from;
            this.validUntil = until;
        }

        /** A fetched chain. */
        public static Chain of(List<X509Certificate> certificates) {
            return new Chain(List.copyOf(certificates), null);
        }

        /** A failed fetch, with what went wrong (status, timeout, size, content). */
        public static Chain failed(String why) {
            return new Chain(List.of(), why);
        }

        /** The certificates, end entity first (empty on failure). */
        public List<X509Certificate> certificates() {
            return certificates;
        }

        /** What went wrong, or null. */
        public String failure() {
            return failure;
        }

        /**
         * The chain validated by {@code validator} at {@code now}: computed once per validator (a trust-list
         * reload brings a new one), then only the validity dates are re-checked.
         */
        public ChainValidator.Result validate(ChainValidator validator, Date now) {
            Validation v = memo;
            if (v != null && v.validator() == validator && (v.result().failure() != null || datesValid(now))) {
                return v.result();
            }
            ChainValidator.Result r = validator.validate(certificates, now);
            if (r.failure() == null || !r.failure().name().startsWith("CERT_EXPIRED")
                    && !r.failure().name().startsWith("CERT_NOT_YET")) {
                memo = new Validation(validator, r);
            }
            return r;
        }

        private boolean datesValid(Date now) {
            long t = now.getTime();
            return t >= validFrom && t <= validUntil;
        }
    }

    /** The chain at {@code x5u}; the future never completes exceptionally. */
    CompletableFuture<Chain> chain(String x5u);
}
