package io.shakengate.crypto.cache;

import io.shakengate.crypto.CertificateSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The x5u certificate cache (standards digest section 7.4). Keyed by the exact URL.
 *
 * <ul>
 *   <li>Reads are lock-free: a {@link ConcurrentHashMap} of immutable entries, each holding its completed
 *       future, so a hit allocates nothing.</li>
 *   <li>Fetches run on the fetcher's executor and are single-flight: every caller asking for a URL that is
 *       being fetched gets the same future.</li>
 *   <li>Lifetime: the response's {@code max-age} (or {@code Expires}), raised to {@code minTtlMillis}
 *       (ATIS-1000074: at least 24 hours) and capped at {@code maxTtlMillis}, never past the end entity's
 *       notAfter. Failures are cached for {@code failureTtlMillis}.</li>
 *   <li>An entry within {@code refreshAheadMillis} of its expiry is still served while one refresh runs.</li>
 *   <li>At most {@code maxEntries}; beyond, the entries closest to expiry go first.</li>
 *   <li>Per host, {@code breakerFailures} failures in a row open a circuit for {@code breakerOpenMillis}:
 *       requests to that host fail at once without a fetch.</li>
 * </ul>
 *
 * <p>Races, written down: two refreshes of one URL cannot start (the in-flight map admits one); a refresh
 * that completes after an entry was evicted re-inserts it (harmless: it is fresh); an eviction pass may run
 * concurrently with inserts and remove slightly more or fewer entries than needed (the bound is approximate
 * by a few entries, never unbounded).
 */
public final class CertificateCache implements CertificateSource {
    /**
     * Settings (documented defaults in {@link #DEFAULT}).
     *
     * @param maxEntries         most URLs kept
     * @param minTtlMillis       shortest lifetime of a good entry
     * @param maxTtlMillis       longest lifetime of a good entry
     * @param failureTtlMillis   lifetime of a failed fetch
     * @param refreshAheadMillis how long before expiry a refresh starts
     * @param breakerFailures    consecutive failures per host that open its circuit
     * @param breakerOpenMillis  how long the circuit stays open
     */
    public record Config(int maxEntries, long minTtlMillis, long maxTtlMillis, long failureTtlMillis,
                         long refreshAheadMillis, int breakerFailures, long breakerOpenMillis) {
        /** 10,000 entries; 24 h to 7 days; failures 30 s; refresh 5 min ahead; breaker 5 failures, 30 s. */
        public static final Config DEFAULT = new Config(10_000, 86_400_000L, 7 * 86_400_000L, 30_000L, 300_000L, 5,
                30_000L);
    }

    /** A cached outcome; immutable. */
    public static final class Entry {
        final Chain chain;
        final long expiresAt;
        final long refreshAt;
        final CompletableFuture<Chain> done;

        Entry(Chain chain, long expiresAt, long refreshAt) {
            this.chain = chain;
            this.expiresAt = expiresAt;
            this.refreshAt = refreshAt;
            this.done = CompletableFuture.completedFuture(chain);
        }

        /** When it expires (epoch milliseconds). */
        public long expiresAt() {
            return expiresAt;
        }
    }

    private record Breaker(int failures, long openUntil) {
    }

    private final Config config;
    private final CertificateFetcher fetcher;
    private final LongSupplier clockMillis;
    private final Map<String, Entry> entries;
    private final Map<String, CompletableFuture<Chain>> inFlight;
    private final Map<String, Breaker> breakers;

    /** A cache fetching with {@code fetcher}; {@code clockMillis} is the time source (injectable for tests). */
    public CertificateCache(Config config, CertificateFetcher fetcher, LongSupplier clockMillis) {
        this(config, fetcher, clockMillis, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(),
                new ConcurrentHashMap<>());
    }

    private CertificateCache(Config config, CertificateFetcher fetcher, LongSupplier clockMillis,
                             Map<String, Entry> entries, Map<String, CompletableFuture<Chain>> inFlight,
                             Map<String, Breaker> breakers) {
        this.config = config;
        this.fetcher = fetcher;
        this.clockMillis = clockMillis;
        this.entries = entries;
        this.inFlight = inFlight;
        this.breakers = breakers;
    }

    /**
     * A cache sharing this one's entries, fetches under way and circuit breakers, fetching from now on with
     * {@code other} (a reload with another TLS trust for x5u: what was fetched stays until it expires).
     */
    public CertificateCache withFetcher(CertificateFetcher other) {
        return new CertificateCache(config, other, clockMillis, entries, inFlight, breakers);
    }

    /** The fetcher it fetches with. */
    public CertificateFetcher fetcher() {
        return fetcher;
    }

    /** The settings. */
    public Config config() {
        return config;
    }

    @Override
    public CompletableFuture<Chain> chain(String url) {
        long now = clockMillis.getAsLong();
        Entry e = entries.get(url);
        if (e != null && now < e.expiresAt) {
            if (now >= e.refreshAt && e.chain.failure() == null) {
                fetch(url);
            }
            return e.done;
        }
        return fetch(url);
    }

    /** Number of cached URLs. */
    public int size() {
        return entries.size();
    }

    /** The entry for {@code url}, or null (for inspection). */
    public Entry entry(String url) {
        return entries.get(url);
    }

    /** Adds a chain without fetching (preloading from disk); {@code pem} is the chain, end entity first. */
    public void preload(String url, byte[] pem) {
        entries.put(url, toEntry(new CertificateFetcher.Response(200, pem, null, null, null),
                clockMillis.getAsLong()));
    }

    /**
     * Preloads every {@code *.pem} file of {@code dir}: each names its URL on a line {@code x5u: https://...}
     * before its certificates (PEM allows text outside the armour). Returns how many were loaded; a file
     * without such a line or without a certificate is an error that names it.
     */
    public int preloadDirectory(java.nio.file.Path dir) throws java.io.IOException {
        int loaded = 0;
        try (var files = java.nio.file.Files.newDirectoryStream(dir, "*.pem")) {
            for (java.nio.file.Path f : files) {
                byte[] body = java.nio.file.Files.readAllBytes(f);
                String url = null;
                for (String line : new String(body, java.nio.charset.StandardCharsets.US_ASCII).split("\\R")) {
                    if (line.startsWith("-----BEGIN")) {
                        break;
                    }
                    if (line.startsWith("x5u:")) {
                        url = line.substring(4).trim();
                    }
                }
                if (url == null) {
                    throw new IllegalArgumentException(f + ": no 'x5u: <url>' line before the certificates");
                }
                String text = new String(body, java.nio.charset.StandardCharsets.US_ASCII);
                int begin = text.indexOf("-----BEGIN");
                byte[] pem = begin < 0 ? new byte[0]
                        : text.substring(begin).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                if (parsePem(pem).isEmpty()) {
                    throw new IllegalArgumentException(f + ": no PEM certificate");
                }
                preload(url, pem);
                loaded++;
            }
        }
        return loaded;
    }

    /** Drops every entry (an operator's flush). */
    public void clear() {
        entries.clear();
    }

    private CompletableFuture<Chain> fetch(String url) {
        CompletableFuture<Chain> mine = new CompletableFuture<>();
        CompletableFuture<Chain> running = inFlight.putIfAbsent(url, mine);
        if (running != null) {
            return running;
        }
        String host = host(url);
        long now = clockMillis.getAsLong();
        Breaker b = host == null ? null : breakers.get(host);
        CompletableFuture<CertificateFetcher.Response> response = b != null && now < b.openUntil()
                ? CompletableFuture.completedFuture(CertificateFetcher.Response.failed(0, "circuit open for " + host))
                : fetcher.fetch(url);
        response.whenComplete((r, error) -> {
            CertificateFetcher.Response res = r != null ? r
                    : CertificateFetcher.Response.failed(0, String.valueOf(error));
            long at = clockMillis.getAsLong();
            Entry e = toEntry(res, at);
            boolean circuitRefusal = b != null && now < b.openUntil();
            if (!circuitRefusal && host != null) {
                recordOutcome(host, e.chain.failure() == null, at);
            }
            Entry previous = entries.get(url);
            if (e.chain.failure() == null || previous == null || at >= previous.expiresAt) {
                entries.put(url, e);
            }
            evictIfNeeded(at);
            inFlight.remove(url, mine);
            Entry served = entries.get(url);
            mine.complete(served != null && at < served.expiresAt ? served.chain : e.chain);
        });
        return mine;
    }

    private void recordOutcome(String host, boolean ok, long now) {
        if (ok) {
            breakers.remove(host);
            return;
        }
        breakers.compute(host, (h, old) -> {
            int failures = old == null ? 1 : old.failures() + 1;
            return new Breaker(failures, failures >= config.breakerFailures() ? now + config.breakerOpenMillis() : 0);
        });
    }

    private Entry toEntry(CertificateFetcher.Response r, long now) {
        if (r.failure() != null || r.body() == null) {
            return new Entry(Chain.failed(r.failure() == null ? "no body" : r.failure()),
                    now + config.failureTtlMillis(), Long.MAX_VALUE);
        }
        List<X509Certificate> certs = parsePem(r.body());
        if (certs.isEmpty()) {
            return new Entry(Chain.failed("no PEM certificate in the body"), now + config.failureTtlMillis(),
                    Long.MAX_VALUE);
        }
        long ttl = Math.min(config.maxTtlMillis(), Math.max(config.minTtlMillis(), directiveMillis(r, now)));
        long expires = Math.min(now + ttl, certs.get(0).getNotAfter().getTime());
        if (expires <= now) {
            expires = now + config.failureTtlMillis();
        }
        return new Entry(Chain.of(certs), expires, Math.max(now, expires - config.refreshAheadMillis()));
    }

    private static long directiveMillis(CertificateFetcher.Response r, long now) {
        if (r.cacheControl() != null) {
            for (String part : r.cacheControl().toLowerCase(Locale.ROOT).split(",")) {
                String p = part.trim();
                if (p.startsWith("max-age=")) {
                    try {
                        return Long.parseLong(p.substring(8).trim()) * 1000;
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
        }
        if (r.expires() != null) {
            try {
                return java.time.ZonedDateTime.parse(r.expires(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli() - now;
            } catch (java.time.format.DateTimeParseException e) {
                return 0;
            }
        }
        return 0;
    }

    /** The certificates of a PEM chain; empty if it holds none or any does not parse. */
    static List<X509Certificate> parsePem(byte[] pem) {
        try {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            List<X509Certificate> out = new ArrayList<>(all.size());
            for (java.security.cert.Certificate c : all) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException | RuntimeException e) {
            return List.of();
        }
    }

    private void evictIfNeeded(long now) {
        int excess = entries.size() - config.maxEntries();
        if (excess <= 0) {
            return;
        }
        entries.values().removeIf(e -> e.expiresAt <= now);
        excess = entries.size() - config.maxEntries();
        if (excess <= 0) {
            return;
        }
        List<Map.Entry<String, Entry>> all = new ArrayList<>(entries.entrySet());
        all.sort((a, b) -> Long.compare(a.getValue().expiresAt, b.getValue().expiresAt));
        for (int i = 0; i < excess && i < all.size(); i++) {
            entries.remove(all.get(i).getKey(), all.get(i).getValue());
        }
    }

    private static String host(String url) {
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
