package io.shakengate.proxy.cps;

import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.cps.PassportEnvelope;
import io.shakengate.crypto.passport.Json;
import io.shakengate.crypto.passport.PassportSigner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The appliance as a CPS client: publishes the PASSporTs it signs for out-of-band delivery and retrieves those
 * of calls arriving without an Identity header, from one or more CPSs, with tokens signed by the appliance's
 * SHAKEN key. Non-blocking: {@link HttpClient}'s asynchronous API on its own small executor, so event loops
 * only start requests and get results back.
 *
 * <p>A publish is retried (250 ms, then doubling) until it succeeds or the retention window closes; a
 * retrieve asks every CPS at once and merges what they return. Outcomes are counted.
 */
public final class CpsClient {
    /**
     * One CPS.
     *
     * @param base     its base URL (https://cps.example.net, or http on loopback)
     * @param audience the {@code aud} its tokens name (its host name)
     * @param sealTo   the terminating provider's P-256 public key that published PASSporTs are sealed to
     *                 (RFC 8816, {@link PassportEnvelope}), or null to publish them in clear (ATIS CPSs)
     */
    public record Target(URI base, String audience, java.security.interfaces.ECPublicKey sealTo) {
        /** A target that receives PASSporTs in clear. */
        public Target(URI base, String audience) {
            this(base, audience, null);
        }
    }

    /**
     * Settings.
     *
     * @param spc              the appliance's SPC (its certificate's TNAuthList)
     * @param retentionSeconds how long a CPS keeps what is published (exp = iat + this; 1..60)
     * @param timeoutMillis    per request
     */
    public record Settings(List<Target> targets, String spc, int retentionSeconds, int timeoutMillis) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final Executor executor;
    private final LongSupplier clockSeconds;
    private final AtomicLong publishedOk = new AtomicLong();
    private final AtomicLong publishRetries = new AtomicLong();
    private final AtomicLong publishFailed = new AtomicLong();
    private final AtomicLong retrieveOk = new AtomicLong();
    private final AtomicLong retrieveFailed = new AtomicLong();

    /** A client for {@code settings}, its HTTP work on {@code executor}. */
    public CpsClient(Settings settings, Executor executor, LongSupplier clockSeconds) {
        this.settings = settings;
        this.executor = executor;
        this.clockSeconds = clockSeconds;
        // HTTP/1.1: with HTTP/2 the JDK client holds requests to an origin until it learns whether the origin
        // speaks h2, so one slow CPS answer would delay the next calls
        this.http = HttpClient.newBuilder().executor(executor).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(settings.timeoutMillis())).build();
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    private static String path(String spc, String dest, String orig) {
        return "/passports/" + spc + "/" + dest + "/" + orig;
    }

    /**
     * Publishes {@code passport} (already signed, {@code iat} now) for (orig, dest) to every CPS, signing the
     * tokens with {@code signer}'s key. The future completes true when every CPS stored it, false when one
     * gave up; it never completes exceptionally.
     */
    public CompletableFuture<Boolean> publish(PassportSigner signer, String orig, String dest, String passport) {
        long iat = clockSeconds.getAsLong();
        long deadlineMillis = (iat + settings.retentionSeconds()) * 1000L;
        List<CompletableFuture<Boolean>> all = new ArrayList<>();
        for (Target t : settings.targets()) {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            if (t.sealTo() == null) {
                attempt(signer, t, orig, dest, passport, iat, deadlineMillis, 250, done);
            } else {
                // sealing is an ECDH agreement: done on the client's executor, not the caller's event loop
                executor.execute(() -> attempt(signer, t, orig, dest, PassportEnvelope.seal(passport, t.sealTo()), iat,
                        deadlineMillis, 250, done));
            }
            all.add(done);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().allMatch(CompletableFuture::join));
    }

    private void attempt(PassportSigner signer, Target t, String orig, String dest, String passport, long iat,
                         long deadlineMillis, long backoffMillis, CompletableFuture<Boolean> done) {
        List<String> passports = List.of(passport);
        long now = clockSeconds.getAsLong();
        String token = CpsTokens.create(signer.pool().signer(), signer.x5u(), new CpsTokens.Claims(
                CpsTokens.Action.PUBLISH, t.audience(), settings.spc(), settings.spc(), orig, List.of(dest), now,
                iat + settings.retentionSeconds(), UUID.randomUUID().toString(), CpsTokens.digest(passports)));
        StringBuilder body = new StringBuilder(passport.length() + 20).append("{\"passports\":[");
        Json.quote(body, passport).append("]}");
        HttpRequest req = HttpRequest.newBuilder(t.base().resolve(path(settings.spc(), dest, orig)))
                .timeout(Duration.ofMillis(settings.timeoutMillis())).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, error) -> {
            if (error == null && resp.statusCode() / 100 == 2) {
                publishedOk.incrementAndGet();
                done.complete(true);
                return;
            }
            boolean permanent = error == null && resp.statusCode() / 100 == 4 && resp.statusCode() != 408
                    && resp.statusCode() != 429;
            if (permanent || System.currentTimeMillis() + backoffMillis >= deadlineMillis) {
                publishFailed.incrementAndGet();
                done.complete(false);
                return;
            }
            publishRetries.incrementAndGet();
            CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS).execute(() ->
                    attempt(signer, t, orig, dest, passport, iat, deadlineMillis, backoffMillis * 2, done));
        });
    }

    /**
     * The PASSporTs the CPSs hold for (orig, dest), merged without duplicates. The originating side publishes
     * while its INVITE travels, so the PASSporT may arrive just after the call: while every CPS answers empty
     * (or fails), asking again after 50 ms, then doubling, as long as that ends before {@code deadlineMillis}
     * (epoch ms). Never completes exceptionally.
     */
    public CompletableFuture<List<String>> retrieve(PassportSigner signer, String orig, String dest,
                                                    long deadlineMillis) {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        retrieveRound(signer, orig, dest, deadlineMillis, 50, done);
        return done;
    }

    private void retrieveRound(PassportSigner signer, String orig, String dest, long deadlineMillis, long backoff,
                               CompletableFuture<List<String>> done) {
        retrieveOnce(signer, orig, dest).whenComplete((list, error) -> {
            List<String> got = error == null ? list : List.of();
            if (!got.isEmpty() || System.currentTimeMillis() + backoff >= deadlineMillis) {
                done.complete(got);
                return;
            }
            CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS).execute(() ->
                    retrieveRound(signer, orig, dest, deadlineMillis, backoff * 2, done));
        });
    }

    /** One round: every CPS at once; a CPS that fails or is slow adds nothing. */
    CompletableFuture<List<String>> retrieveOnce(PassportSigner signer, String orig, String dest) {
        List<CompletableFuture<List<String>>> all = new ArrayList<>();
        for (Target t : settings.targets()) {
            String token = CpsTokens.create(signer.pool().signer(), signer.x5u(), new CpsTokens.Claims(
                    CpsTokens.Action.RETRIEVE, t.audience(), settings.spc(), settings.spc(), orig, List.of(dest),
                    clockSeconds.getAsLong(), 0, UUID.randomUUID().toString(), null));
            HttpRequest req = HttpRequest.newBuilder(t.base().resolve(path(settings.spc(), dest, orig)))
                    .timeout(Duration.ofMillis(settings.timeoutMillis())).header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json").GET().build();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((resp, error) -> {
                if (error != null || resp.statusCode() != 200) {
                    retrieveFailed.incrementAndGet();
                    return List.<String>of();
                }
                List<String> got = parse(resp.body());
                if (got == null) {
                    retrieveFailed.incrementAndGet();
                    return List.<String>of();
                }
                retrieveOk.incrementAndGet();
                return got;
            }));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<String> merged = new ArrayList<>();
            for (CompletableFuture<List<String>> f : all) {
                for (String p : f.join()) {
                    if (!merged.contains(p)) {
                        merged.add(p);
                    }
                }
            }
            return merged;
        });
    }

    private static List<String> parse(byte[] body) {
        Map<String, Object> m = Json.parseObject(body, 0, body.length);
        if (m == null || !(m.get("passports") instanceof List<?> list) || list.size() > 16) {
            return null;
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s) || s.length() > 8192) {
                return null;
            }
            out.add(s);
        }
        return out;
    }

    /** Counters: published, publish retries, publishes given up, retrieves answered, retrieves failed. */
    public long[] counts() {
        return new long[] {publishedOk.get(), publishRetries.get(), publishFailed.get(), retrieveOk.get(),
            retrieveFailed.get()};
    }

    @Override
    public String toString() {
        return "CPS " + settings.targets().stream().map(t -> t.base() + (t.sealTo() == null ? "" : " (sealed)")).toList() + " as SPC " + settings.spc()
                + ", retention " + settings.retentionSeconds() + " s";
    }
}
