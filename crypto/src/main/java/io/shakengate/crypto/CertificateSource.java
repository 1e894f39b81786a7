package io.shakengate.crypto;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Where the verifier gets the chain published at an {@code x5u} URL. The certificate cache implements it
 * (fetching off the caller's thread); tests serve fixed bodies.
 */
public interface CertificateSource {
    /** A chain (end entity first), or a failure. */
    record Chain(List<X509Certificate> certificates, String failure) {
        /** A fetched chain. */
        public static Chain of(List<X509Certificate> certificates) {
            return new Chain(List.copyOf(certificates), null);
        }

        /** A failed fetch, with what went wrong (status, timeout, size, content). */
        public static Chain failed(String why) {
            return new Chain(List.of(), why);
        }
    }

    /** The chain at {@code x5u}. */
    Chain chain(String x5u);
}
