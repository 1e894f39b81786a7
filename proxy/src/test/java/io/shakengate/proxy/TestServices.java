package io.shakengate.proxy;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;

import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Test fixtures shared by the proxy tests. */
public final class TestServices {
    private TestServices() {
    }

    /** A certificate cache holding {@code ee}'s chain at {@code x5u}; any other URL fails with 404, without network. */
    public static CertificateCache preloadedCache(TestPki pki, TestPki.Issued ee, String x5u) {
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                url -> CompletableFuture.completedFuture(CertificateFetcher.Response.failed(404, "HTTP 404")),
                System::currentTimeMillis);
        cache.preload(x5u, (ee.certPem() + pki.intermediate.certPem()).getBytes(StandardCharsets.US_ASCII));
        return cache;
    }

    /**
     * A verifier trusting {@code pki}'s root whose certificate cache holds {@code ee}'s chain at {@code x5u}
     * (any other URL fails with 404, without network).
     */
    public static PassportVerifier preloadedVerifier(TestPki pki, TestPki.Issued ee, String x5u) {
        return new PassportVerifier(PassportVerifier.Config.DEFAULT, preloadedCache(pki, ee, x5u),
                new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null),
                () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected());
    }
}
