package io.shakengate.crypto.cache;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetcher against a real HTTPS server on loopback (bounded, stopped after). */
class HttpCertificateFetcherTest {
    private static HttpsServer server;
    private static ExecutorService executor;
    private static SSLContext clientTls;
    private static String base;
    private static byte[] chainPem;
    private static final AtomicInteger HITS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued tls = pki.tlsServer();
        chainPem = (pki.endEntity(TestPki.Flaw.NONE).certPem() + pki.intermediate.certPem())
                .getBytes(StandardCharsets.US_ASCII);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("tls", tls.keys().getPrivate(), "x".toCharArray(), new Certificate[] {tls.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", pki.root.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/", ex -> {
            HITS.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            try (OutputStream out = ex.getResponseBody()) {
                switch (path) {
                    case "/good.pem" -> {
                        ex.getResponseHeaders().add("Cache-Control", "max-age=3600");
                        ex.sendResponseHeaders(200, chainPem.length);
                        out.write(chainPem);
                    }
                    case "/big.pem" -> {
                        ex.sendResponseHeaders(200, 10 * 1024 * 1024);
                        byte[] chunk = new byte[65536];
                        for (int i = 0; i < 160; i++) {
                            out.write(chunk);
                        }
                    }
                    case "/slow.pem" -> {
                        sleep(3000);
                        ex.sendResponseHeaders(200, chainPem.length);
                        out.write(chainPem);
                    }
                    case "/redirect.pem" -> {
                        ex.getResponseHeaders().add("Location", base + "/good.pem");
                        ex.sendResponseHeaders(302, -1);
                    }
                    case "/500.pem" -> ex.sendResponseHeaders(500, -1);
                    default -> ex.sendResponseHeaders(404, -1);
                }
            } catch (java.io.IOException ignored) {
                // the client went away (size limit, timeout): what these tests provoke
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        base = "https://127.0.0.1:" + server.getAddress().getPort();
        executor = Executors.newFixedThreadPool(2);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static HttpCertificateFetcher fetcher(boolean allowPrivate) {
        return new HttpCertificateFetcher(new HttpCertificateFetcher.Limits(1000, 800, 65536, allowPrivate),
                executor, clientTls);
    }

    @Test
    void shouldFetchAChainWithItsCachingHeaders() {
        CertificateFetcher.Response r = fetcher(true).fetch(base + "/good.pem").join();
        assertNull(r.failure());
        assertEquals("max-age=3600", r.cacheControl());
        assertEquals(2, CertificateCache.parsePem(r.body()).size());
    }

    @Test
    void shouldCutOffATenMegabyteBody() {
        CertificateFetcher.Response r = fetcher(true).fetch(base + "/big.pem").join();
        assertTrue(r.failure() != null && r.failure().startsWith("body larger than 65536"), String.valueOf(r));
    }

    @Test
    void shouldTimeOutASlowServer() {
        long start = System.nanoTime();
        CertificateFetcher.Response r = fetcher(true).fetch(base + "/slow.pem").join();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("timeout", r.failure());
        assertTrue(ms < 2500, "gave up after " + ms + " ms");
    }

    @Test
    void shouldNotFollowRedirectsAndShouldCacheErrors() {
        assertEquals("HTTP 302", fetcher(true).fetch(base + "/redirect.pem").join().failure());
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT, fetcher(true),
                System::currentTimeMillis);
        int before = HITS.get();
        CertificateSource.Chain first = cache.chain(base + "/404.pem").join();
        CertificateSource.Chain second = cache.chain(base + "/404.pem").join();
        assertEquals("HTTP 404", first.failure());
        assertEquals("HTTP 404", second.failure());
        assertEquals("HTTP 500", cache.chain(base + "/500.pem").join().failure());
        assertEquals(before + 2, HITS.get(), "the 404 was fetched once");
    }

    @Test
    void shouldRefuseAHostThatResolvesToLoopbackWithoutConnecting() {
        int before = HITS.get();
        String url = "https://localhost:" + server.getAddress().getPort() + "/good.pem";
        CertificateFetcher.Response r = fetcher(false).fetch(url).join();
        assertTrue(r.failure().startsWith("host resolves to a non-public address"), r.failure());
        assertEquals(before, HITS.get(), "no request reached the server");
    }
}
