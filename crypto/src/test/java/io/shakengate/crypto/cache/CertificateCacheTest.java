package io.shakengate.crypto.cache;

import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.testing.TestPki;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateCacheTest {
    private static final long HOUR = 3_600_000L;
    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private final TestPki pki = new TestPki(clock.get());
    private final byte[] goodPem = (pki.endEntity(TestPki.Flaw.NONE).certPem() + pki.intermediate.certPem())
            .getBytes(StandardCharsets.US_ASCII);

    /** A fetcher whose responses the test completes by hand, counting calls per URL. */
    private final class ManualFetcher implements CertificateFetcher {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Map<String, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Response> fetch(String url) {
            calls.computeIfAbsent(url, u -> new AtomicInteger()).incrementAndGet();
            CompletableFuture<Response> f = new CompletableFuture<>();
            pending.put(url, f);
            return f;
        }

        int calls(String url) {
            AtomicInteger n = calls.get(url);
            return n == null ? 0 : n.get();
        }

        void answer(String url, Response r) {
            pending.remove(url).complete(r);
        }
    }

    private CertificateFetcher.Response good(String cacheControl) {
        return new CertificateFetcher.Response(200, goodPem, cacheControl, null, null);
    }

    private CertificateCache cache(CertificateFetcher f, CertificateCache.Config c) {
        return new CertificateCache(c, f, clock::get);
    }

    private static final CertificateCache.Config SMALL = new CertificateCache.Config(3, HOUR, 24 * HOUR, 30_000L,
            60_000L, 3, 30_000L);

    @Test
    void shouldFetchOnceForManyConcurrentCallers() throws Exception {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<CertificateSource.Chain>> futures = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<CompletableFuture<CertificateSource.Chain>>> submitted = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            submitted.add(pool.submit(() -> {
                go.await();
                return cache.chain("https://a.example/c.pem");
            }));
        }
        go.countDown();
        for (var s : submitted) {
            futures.add(s.get(5, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(1, f.calls("https://a.example/c.pem"), "single flight");
        assertFalse(futures.get(0).isDone(), "nobody blocked waiting: the future is pending");
        f.answer("https://a.example/c.pem", good("max-age=60"));
        for (CompletableFuture<CertificateSource.Chain> fut : futures) {
            assertEquals(2, fut.get(1, TimeUnit.SECONDS).certificates().size());
        }
        assertSame(cache.chain("https://a.example/c.pem"), cache.chain("https://a.example/c.pem"),
                "a hit returns the entry's completed future: no allocation");
        assertEquals(1, f.calls("https://a.example/c.pem"));
    }

    @Test
    void shouldKeepAnEntryForAtLeastTheMinimumAndNeverPastTheCertificate() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        cache.chain("https://a.example/c.pem");
        f.answer("https://a.example/c.pem", good("public, max-age=60"));
        assertEquals(clock.get() + HOUR, cache.entry("https://a.example/c.pem").expiresAt(), "raised to the floor");
        CertificateCache longLived = cache(f, new CertificateCache.Config(3, HOUR, 10_000 * 24 * HOUR, 30_000L,
                60_000L, 3, 30_000L));
        longLived.chain("https://b.example/c.pem");
        f.answer("https://b.example/c.pem", good("max-age=99999999"));
        long notAfter = CertificateCache.parsePem(goodPem).get(0).getNotAfter().getTime();
        assertEquals(notAfter, longLived.entry("https://b.example/c.pem").expiresAt(), "capped at notAfter");
    }

    @Test
    void shouldCacheFailuresBriefly() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        String url = "https://a.example/missing.pem";
        cache.chain(url);
        f.answer(url, CertificateFetcher.Response.failed(404, "HTTP 404"));
        assertEquals("HTTP 404", cache.chain(url).join().failure());
        assertEquals(1, f.calls(url), "the failure is served from the cache");
        clock.addAndGet(30_001L);
        cache.chain(url);
        assertEquals(2, f.calls(url), "fetched again once the failure expired");
        f.answer(url, CertificateFetcher.Response.failed(500, "HTTP 500"));
        assertEquals("HTTP 500", cache.chain(url).join().failure());
        cache.chain("https://a.example/garbage.pem");
        f.answer("https://a.example/garbage.pem", new CertificateFetcher.Response(200,
                "not a certificate".getBytes(StandardCharsets.US_ASCII), null, null, null));
        assertEquals("no PEM certificate in the body", cache.chain("https://a.example/garbage.pem").join().failure());
    }

    @Test
    void shouldServeAnEntryWhileItRefreshes() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        String url = "https://a.example/c.pem";
        cache.chain(url);
        f.answer(url, good(null));
        clock.addAndGet(HOUR - 30_000L);
        CompletableFuture<CertificateSource.Chain> served = cache.chain(url);
        assertTrue(served.isDone(), "the still-valid entry is served at once");
        assertEquals(2, f.calls(url), "and one refresh started");
        cache.chain(url);
        assertEquals(2, f.calls(url), "only one");
        f.answer(url, CertificateFetcher.Response.failed(500, "HTTP 500"));
        assertNull(cache.chain(url).join().failure(), "a failed refresh keeps the good entry");
    }

    @Test
    void shouldStayWithinItsBound() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        for (int i = 0; i < 10; i++) {
            String url = "https://h" + i + ".example/c.pem";
            cache.chain(url);
            f.answer(url, good("max-age=" + (3600 + i)));
        }
        assertTrue(cache.size() <= 3, "size " + cache.size());
    }

    @Test
    void shouldOpenACircuitForAFailingHost() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        for (int i = 0; i < 3; i++) {
            String url = "https://down.example/" + i + ".pem";
            cache.chain(url);
            f.answer(url, CertificateFetcher.Response.failed(0, "timeout"));
        }
        String next = "https://down.example/next.pem";
        CertificateSource.Chain refused = cache.chain(next).join();
        assertEquals(0, f.calls(next), "no fetch while the circuit is open");
        assertTrue(refused.failure().startsWith("circuit open"), refused.failure());
        clock.addAndGet(30_001L + 30_001L);
        cache.chain("https://down.example/later.pem");
        assertEquals(1, f.calls("https://down.example/later.pem"), "tried again after the open period");
    }

    @Test
    void shouldSurviveAConcurrentStorm() throws Exception {
        ExecutorService fetchers = Executors.newFixedThreadPool(4);
        AtomicInteger concurrentMax = new AtomicInteger();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        CertificateFetcher f = url -> CompletableFuture.supplyAsync(() -> {
            int now = running.computeIfAbsent(url, u -> new AtomicInteger()).incrementAndGet();
            concurrentMax.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.get(url).decrementAndGet();
            return ThreadLocalRandom.current().nextInt(4) == 0 ? CertificateFetcher.Response.failed(503, "HTTP 503")
                    : good("max-age=1");
        }, fetchers);
        CertificateCache cache = new CertificateCache(new CertificateCache.Config(20, 1, 50, 1, 1, 1000, 1),
                f, System::currentTimeMillis);
        ExecutorService callers = Executors.newFixedThreadPool(6);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            done.add(callers.submit(() -> {
                for (int i = 0; i < 3000; i++) {
                    CertificateSource.Chain c = cache.chain("https://h" + ThreadLocalRandom.current().nextInt(40)
                            + ".example/c.pem").get(5, TimeUnit.SECONDS);
                    assertNotNull(c);
                    assertTrue(c.failure() != null || c.certificates().size() == 2);
                }
                return null;
            }));
        }
        for (var d : done) {
            d.get(60, TimeUnit.SECONDS);
        }
        callers.shutdown();
        fetchers.shutdown();
        assertEquals(1, concurrentMax.get(), "never two fetches of one URL at once");
        assertTrue(cache.size() <= 20 + 6, "bounded (approximately, by design): " + cache.size());
    }

    @Test
    void shouldPreloadADirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.write(dir.resolve("good.pem"), ("x5u: https://a.example/c.pem\n"
                + new String(goodPem, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        assertEquals(1, cache.preloadDirectory(dir));
        assertEquals(2, cache.chain("https://a.example/c.pem").join().certificates().size());
        assertEquals(0, f.calls("https://a.example/c.pem"));
        java.nio.file.Files.write(dir.resolve("bad.pem"), goodPem);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> cache.preloadDirectory(dir));
        assertTrue(e.getMessage().contains("bad.pem"), e.getMessage());
    }

    @Test
    void shouldPreloadWithoutFetching() {
        ManualFetcher f = new ManualFetcher();
        CertificateCache cache = cache(f, SMALL);
        cache.preload("https://a.example/c.pem", goodPem);
        assertEquals(2, cache.chain("https://a.example/c.pem").join().certificates().size());
        assertEquals(0, f.calls("https://a.example/c.pem"));
    }
}
