package io.shakengate.bench.load;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.ServiceConfig;

import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The services the load runs and the proxy benchmarks sign and verify with: a demo PKI for SPC 1234, its chain
 * preloaded in the certificate cache at {@code x5u} (nothing is fetched), attestation A, the default budget.
 */
public record BenchServices(DemoPki pki, EcdsaProvider provider, ServiceConfig services) {
    /** Services signing with x5u {@code x5u} and verifying against the demo root. */
    public static BenchServices create(String x5u) throws Exception {
        DemoPki pki = new DemoPki("1234");
        EcdsaProvider provider = EcdsaProvider.selected();
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                url -> CompletableFuture.completedFuture(CertificateFetcher.Response.failed(404, "HTTP 404")),
                System::currentTimeMillis);
        cache.preload(x5u, pki.chainPem().getBytes(StandardCharsets.US_ASCII));
        ServiceConfig services = new ServiceConfig(
                new PassportSigner(new SignerPool(provider, pki.signerKeys().getPrivate()), x5u), Attestation.A,
                new PassportVerifier(PassportVerifier.Config.DEFAULT, cache,
                        new ChainValidator(Set.of(new TrustAnchor(pki.root(), null)), null),
                        () -> System.currentTimeMillis() / 1000, provider),
                ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        return new BenchServices(pki, provider, services);
    }
}
