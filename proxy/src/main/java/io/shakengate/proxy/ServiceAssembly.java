package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.VerificationService;
import java.util.Map;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.HttpCertificateFetcher;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.TrustAnchors;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.MetricsServer;
import io.shakengate.proxy.transport.Transports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Assembly of the STIR services from a configuration: signer and authentication policy, CPS client, verifier
 * (keeping the x5u cache and remembered signature outcomes across a reload), the family settings, and the
 * reading of every file the configuration names (errors name the setting).
 */
final class ServiceAssembly {
    private ServiceAssembly() {
    }

    interface FileRead<T> {
        T read() throws IOException;
    }

    /** Reads a file the configuration names; an I/O error says which setting and why, not just the path. */
    static <T> T readFile(String setting, FileRead<T> read) throws IOException {
        try {
            return read.read();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(setting + ": no such file: " + e.getFile(), e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(setting + ": permission denied: " + e.getFile(), e);
        } catch (IOException e) {
            throw new IOException(setting + ": " + e.getMessage(), e);
        }
    }

    /** The verified revocation list the configuration names, or null; a refused one names the setting and why. */
    static java.security.cert.X509CRL crl(ApplianceConfig.Crl c) throws IOException {
        if (c == null) {
            return null;
        }
        byte[] der = readFile("verification.crl.file", () -> java.nio.file.Files.readAllBytes(c.file()));
        List<java.security.cert.X509Certificate> chain = readFile("verification.crl.signerChain",
                () -> io.shakengate.crypto.x509.Pem.readCertificates(c.signerChain()));
        List<java.security.cert.X509Certificate> root = readFile("verification.crl.root",
                () -> io.shakengate.crypto.x509.Pem.readCertificates(c.root()));
        if (chain.isEmpty() || root.size() != 1) {
            throw new IOException("verification.crl: signerChain needs at least one certificate and root exactly one");
        }
        try {
            return io.shakengate.crypto.x509.RevocationList.load(der, chain, root.get(0), new Date());
        } catch (IllegalArgumentException e) {
            throw new IOException("verification.crl: " + c.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The services the configuration describes, keeping the x5u cache and the remembered signature outcomes of
     * {@code previous} (the services in force, or null) when the verifier's settings are unchanged: a reload
     * swaps only the trust anchors and the CRL. Errors name the file at fault.
     */
    static ServiceConfig resolve(ApplianceConfig config, ExecutorService fetchers, ServiceConfig previous)
            throws IOException {
        return resolve(config, new FetchClients(fetchers), previous);
    }

    /** As {@link #resolve(ApplianceConfig, ExecutorService, ServiceConfig)}, HTTP clients kept in {@code clients}. */
    static ServiceConfig resolve(ApplianceConfig config, FetchClients clients, ServiceConfig previous)
            throws IOException {
        ExecutorService fetchers = clients.executor();
        EcdsaProvider provider = EcdsaProvider.selected();
        io.shakengate.proxy.stir.SigningIdentities identities = null;
        PassportSigner signer = null;
        AuthenticationPolicy authentication = AuthenticationPolicy.always(io.shakengate.crypto.passport.Attestation.A);
        if (config.signing() != null) {
            ApplianceConfig.Signing s = config.signing();
            identities = io.shakengate.proxy.identity.IdentityLoader.load(s.identities(), s.defaultIdentity(), provider,
                    System.currentTimeMillis());
            signer = identities.defaultIdentity().signer();
            authentication = new AuthenticationPolicy(s.rules(),
                    AuthenticationPolicy.Action.valueOf("ATTEST_" + s.attestation().name()), s.delivery())
                    .withTrunkHeader(s.trunkHeader()).withCalledFromRequestUri(s.calledFromRequestUri());
        }
        ApplianceConfig.Cps cps = config.cps();
        io.shakengate.proxy.cps.CpsClient client = null;
        if (cps != null && !cps.targets().isEmpty()) {
            io.shakengate.proxy.cps.CpsClient.Settings cs = new io.shakengate.proxy.cps.CpsClient.Settings(
                    cps.targets(), cps.spc(), cps.retentionSeconds(), cps.timeoutMillis());
            client = clients.get("cps " + cs, io.shakengate.proxy.cps.CpsClient.class,
                    () -> new io.shakengate.proxy.cps.CpsClient(cs, fetchers, () -> System.currentTimeMillis() / 1000));
        }
        VerificationService verification = null;
        if (config.verification() != null) {
            ApplianceConfig.Verification v = config.verification();
            PassportVerifier.Config settings = new PassportVerifier.Config(v.freshnessSeconds(), v.x5uPorts(),
                    v.allowPrivateHosts(), false);
            ChainValidator chains = new ChainValidator(readFile("verification.trustAnchors",
                    () -> TrustAnchors.load(v.trustAnchors(), List.of(), new Date())), crl(v.crl()));
            PassportVerifier before = previous == null || previous.verification() == null ? null
                    : previous.verification().verifier();
            PassportVerifier verifier;
            HttpCertificateFetcher fetcher = x5uFetcher(clients, v, true);
            if (before != null && before.config().equals(settings)
                    && before.certificates() instanceof CertificateCache kept && kept.config().equals(v.cache())) {
                // the x5u cache outlives the reload; a changed fetchTrust bundle fetches with a new client from now on
                verifier = before.withChains(chains).withCertificates(kept.fetcher() == fetcher ? kept
                        : kept.withFetcher(fetcher));
            } else {
                CertificateCache cache = new CertificateCache(v.cache(), fetcher, System::currentTimeMillis);
                verifier = new PassportVerifier(settings, cache, chains, () -> System.currentTimeMillis() / 1000,
                        provider);
            }
            java.security.interfaces.ECPrivateKey openKey = cps == null || cps.openKey() == null ? null
                    : (java.security.interfaces.ECPrivateKey) readFile("cps.openKey",
                    () -> SigningKeys.readPrivateKey(cps.openKey()));
            VerificationService.OutOfBand oob = client == null ? null : new VerificationService.OutOfBand(client,
                    cps.retrieve(), signer, openKey == null ? null
                    : new io.shakengate.crypto.cps.PassportEnvelope.Opener(openKey));
            verification = new VerificationService(verifier, v.budgetMillis(), v.policy(), v.pointPolicies(), oob,
                    config.family().maxPerCall()).withDecisions(io.shakengate.proxy.journal.DecisionLog.journal(
                    v.decisionLog())).withFamily(config.family().family(x5uFetcher(clients, v, false)));
        }
        AuthenticationService signing = new AuthenticationService(identities, authentication, client,
                config.family().family(null));
        if (config.signing() != null) {
            signing = signing.withDecisions(io.shakengate.proxy.journal.DecisionLog.journal(
                    config.signing().decisionLog()));
        }
        return new ServiceConfig(signing, verification, Map.of());
    }

    /**
     * The fetcher for x5u URLs (with the verification section's {@code fetchTrust} when {@code withFetchTrust}, else
     * the system roots, as for linked content), the one kept in {@code clients} while its recipe is unchanged.
     */
    static HttpCertificateFetcher x5uFetcher(FetchClients clients, ApplianceConfig.Verification v,
                                             boolean withFetchTrust) throws IOException {
        HttpCertificateFetcher.Limits limits = new HttpCertificateFetcher.Limits(1000, 2000, 65536,
                v.allowPrivateHosts());
        java.nio.file.Path trust = withFetchTrust ? v.fetchTrust() : null;
        String recipe = "fetch " + limits + " trust " + FetchClients.trustDigest("verification.fetchTrust", trust);
        return clients.get(recipe, HttpCertificateFetcher.class, () -> new HttpCertificateFetcher(limits,
                clients.executor(), trust == null ? null : readFile("verification.fetchTrust",
                () -> io.shakengate.proxy.transport.TrustedCas.tls(trust))));
    }
}
