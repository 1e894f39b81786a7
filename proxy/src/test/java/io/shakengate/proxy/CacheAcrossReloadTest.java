package io.shakengate.proxy;

import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The x5u cache's bounds are settings, and a reload keeps what the cache holds while they stay the same, also
 * with a fetchTrust (which before was re-read by building a new, empty cache at every SIGHUP).
 */
class CacheAcrossReloadTest {
    private static final String URL = "https://certs.example.net/sti/1234.pem";
    @TempDir
    Path dir;

    private ApplianceConfig config(String cache) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        Path anchors = Files.writeString(dir.resolve("anchors.pem"), TestPkiPem.pem(pki.root.cert()));
        Path trust = Files.writeString(dir.resolve("x5u-roots.pem"), TestPkiPem.pem(pki.root.cert()));
        return ApplianceConfig.parse(String.join("\n",
                "verification:",
                "  trustAnchors: " + anchors,
                "  fetchTrust: " + trust,
                cache,
                "listeningPoints:",
                "  - { name: in, listen: \"127.0.0.1:5070\", role: verify, nextHop: \"127.0.0.1:5080\" }",
                ""), "test.yaml");
    }

    @Test
    void cacheSettingsAreReadAndBoundsNamed() throws Exception {
        CertificateCache.Config c = config("  cache: { minTtlSeconds: 2, maxTtlSeconds: 60, failureTtlSeconds: 1,"
                + " refreshAheadSeconds: 1, breakerFailures: 3, breakerOpenSeconds: 4, maxEntries: 50 }")
                .verification().cache();
        assertEquals(new CertificateCache.Config(50, 2000, 60_000, 1000, 1000, 3, 4000), c);
        assertEquals(CertificateCache.Config.DEFAULT, config("").verification().cache());
        ConfigException below = assertThrows(ConfigException.class,
                () -> config("  cache: { minTtlSeconds: 600, maxTtlSeconds: 60 }"));
        assertTrue(below.getMessage().contains("maxTtlSeconds (60) is below minTtlSeconds (600)"), below.getMessage());
        assertTrue(below.getMessage().contains("line"), below.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> config("  cache: { ttl: 5 }"));
        assertTrue(unknown.getMessage().contains("ttl"), unknown.getMessage());
        ConfigException range = assertThrows(ConfigException.class, () -> config("  cache: { failureTtlSeconds: 0 }"));
        assertTrue(range.getMessage().contains("failureTtlSeconds"), range.getMessage());
    }

    @Test
    void aReloadKeepsTheCachedChainsUnlessTheCacheSettingsChange() throws Exception {
        ExecutorService fetchers = Executors.newSingleThreadExecutor();
        try {
            ServiceConfig first = ServiceAssembly.resolve(config(""), fetchers, null);
            CertificateCache cache = (CertificateCache) first.verification().verifier().certificates();
            TestPki pki = new TestPki(System.currentTimeMillis());
            cache.preload(URL, pki.endEntity(TestPki.Flaw.NONE).certPem().getBytes(StandardCharsets.US_ASCII));
            ServiceConfig again = ServiceAssembly.resolve(config(""), fetchers, first);
            CertificateCache kept = (CertificateCache) again.verification().verifier().certificates();
            assertNotSame(cache, kept, "a new fetcher (the fetchTrust is read again)");
            assertNotNull(kept.entry(URL), "the chain fetched before the reload is still there");
            ServiceConfig changed = ServiceAssembly.resolve(config("  cache: { minTtlSeconds: 60 }"), fetchers, again);
            assertNull(((CertificateCache) changed.verification().verifier().certificates()).entry(URL),
                    "other cache settings: a new cache");
        } finally {
            fetchers.shutdownNow();
        }
    }

    @Test
    void aReloadKeepsTheHttpClientsWhileTheirTrustFileIsUnchanged() throws Exception {
        ExecutorService fetchers = Executors.newSingleThreadExecutor();
        try {
            FetchClients clients = new FetchClients(fetchers);
            ApplianceConfig c = config("");
            ServiceConfig first = ServiceAssembly.resolve(c, clients, null);
            CertificateCache cache = (CertificateCache) first.verification().verifier().certificates();
            ServiceConfig again = ServiceAssembly.resolve(c, clients, first);
            assertSame(cache.fetcher(), ((CertificateCache) again.verification().verifier().certificates()).fetcher(),
                    "same fetchTrust bytes: the same HTTP client (no selector thread per SIGHUP)");
            ApplianceConfig rewritten = config(""); // a new PKI: the fetchTrust file now holds another root
            ServiceConfig changed = ServiceAssembly.resolve(rewritten, clients, again);
            assertNotSame(cache.fetcher(), ((CertificateCache) changed.verification().verifier().certificates())
                    .fetcher(), "another fetchTrust bundle: a new client");
        } finally {
            fetchers.shutdownNow();
        }
    }

    /** PEM text of a certificate. */
    static final class TestPkiPem {
        static String pem(java.security.cert.X509Certificate c) throws Exception {
            return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(
                    StandardCharsets.US_ASCII)).encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        }
    }
}
