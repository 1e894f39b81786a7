package io.shakengate.proxy.cps;

import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Json;
import io.shakengate.crypto.passport.Passport;
import io.shakengate.crypto.passport.PassportParser;
import io.shakengate.crypto.cps.PassportEnvelope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The Call Placement Service (ATIS-1000096/1000105 as the standards digest section 11.2 describes it) behind
 * the API listener: {@code POST /passports/{spc}/{dest}/{orig}} publishes, {@code GET} retrieves, each
 * authorised by the requester's signed bearer token ({@link CpsTokens}).
 *
 * <p>A publish is refused unless the token is valid for this CPS, this path and this body, its {@code jti}
 * new, and every PASSporT a SHAKEN PASSporT for this path's numbers with a fresh {@code iat}: each refusal
 * has its own reason (HTTP status and {@code {"error":{"reason":..,"text":..}}}), counted. Stored PASSporTs
 * live until the token's {@code exp}, at most {@code retentionSeconds} (default 15, capped at 60).
 *
 * <p>A PASSporT sealed to the terminating provider (a JWE, {@link PassportEnvelope}) is stored as it is: its
 * numbers and freshness cannot be read here, and the requester's token (its {@code passports} digest) binds
 * it to the request.
 *
 * <p>Choices where the digest is unconfirmed: a publish answers {@code 201 {"stored":N}}; a retrieve
 * {@code 200 {"passports":[...]}} (empty when there are none).
 */
public final class CpsServer {
    /** An HTTP status and its JSON body. */
    public record Answer(int status, String json) {
    }

    /** Settings: the most PASSporTs per publish, retention, freshness of PASSporTs (s). */
    public record Limits(int maxPassportsPerPublish, int retentionSeconds, int freshnessSeconds) {
        /** Validates: retention 1..60 s. */
        public Limits {
            if (retentionSeconds < 1 || retentionSeconds > 60) {
                throw new IllegalArgumentException("retentionSeconds must be 1..60: " + retentionSeconds);
            }
        }
    }

    private final CpsTokens.Verifier tokens;
    private final CpsStore store;
    private final Limits limits;
    private final LongSupplier clockSeconds;
    private final PassportParser parser = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);
    private final AtomicLongArray refusals = new AtomicLongArray(CpsTokens.Refusal.values().length);
    private final java.util.concurrent.atomic.AtomicLong published = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong retrieved = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong storeFailures = new java.util.concurrent.atomic.AtomicLong();

    /** A CPS checking tokens with {@code tokens} and keeping PASSporTs in {@code store}. */
    public CpsServer(CpsTokens.Verifier tokens, CpsStore store, Limits limits, LongSupplier clockSeconds) {
        this.tokens = tokens;
        this.store = store;
        this.limits = limits;
        this.clockSeconds = clockSeconds;
    }

    /**
     * Handles one request for the (spc, dest, orig) path; {@code authorization} is the header value or null.
     * The future may complete on any thread.
     */
    public CompletableFuture<Answer> handle(boolean publish, String spc, String dest, String orig,
                                                      String authorization, byte[] body) {
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        return publish ? publish(spc, dest, orig, token, body) : retrieve(spc, dest, orig, token);
    }

    private CompletableFuture<Answer> retrieve(String spc, String dest, String orig, String token) {
        return tokens.check(token, CpsTokens.Action.RETRIEVE, spc, dest, orig, null).thenCompose(c -> {
            if (c.refusal() != null) {
                return CompletableFuture.completedFuture(refused(c.refusal()));
            }
            return store.retrieve(dest, orig).handle((list, error) -> {
                if (error != null) {
                    return unavailable();
                }
                retrieved.addAndGet(list.size());
                StringBuilder b = new StringBuilder(64 + list.size() * 600).append("{\"passports\":[");
                for (int i = 0; i < list.size(); i++) {
                    Json.quote(i == 0 ? b : b.append(','), list.get(i));
                }
                return new Answer(200, b.append("]}").toString());
            });
        });
    }

    private CompletableFuture<Answer> publish(String spc, String dest, String orig, String token,
                                                        byte[] body) {
        List<String> passports = passports(body);
        if (passports == null) {
            return done(refused(CpsTokens.Refusal.BODY_MALFORMED));
        }
        if (passports.size() > limits.maxPassportsPerPublish()) {
            return done(refused(CpsTokens.Refusal.TOO_MANY));
        }
        long now = clockSeconds.getAsLong();
        for (String p : passports) {
            if (PassportEnvelope.isSealed(p)) {
                // sealed to the terminating provider (RFC 8816): stored opaquely, the token binds it to the body
                if (p.length() > PassportEnvelope.MAX_SEALED_CHARS) {
                    return done(refused(CpsTokens.Refusal.PASSPORT_MALFORMED));
                }
                continue;
            }
            PassportParser.Result r = parser.parse(p);
            Passport pp = r.passport();
            // SHAKEN, or a div-o carrying the PASSporT of a call diverted before it crossed TDM (RFC 8946 section 6)
            boolean kept = pp != null && ("shaken".equals(pp.ppt()) || "div-o".equals(pp.ppt()));
            if (!kept || pp.origTn() == null || pp.destTns() == null) {
                return done(refused(CpsTokens.Refusal.PASSPORT_MALFORMED));
            }
            if (!pp.origTn().equals(orig) || !pp.destTns().contains(dest)) {
                return done(refused(CpsTokens.Refusal.PASSPORT_MISMATCH));
            }
            if (Math.abs(now - pp.iat()) > limits.freshnessSeconds()) {
                return done(refused(CpsTokens.Refusal.PASSPORT_STALE));
            }
        }
        return tokens.check(token, CpsTokens.Action.PUBLISH, spc, dest, orig, CpsTokens.digest(passports))
                .thenCompose(c -> {
                    if (c.refusal() != null) {
                        return done(refused(c.refusal()));
                    }
                    long expires = Math.min(c.claims().exp(), clockSeconds.getAsLong() + limits.retentionSeconds());
                    return store.publish(dest, orig, passports, expires * 1000, c.claims().jti(),
                            (c.claims().iat() + 2L * limits.freshnessSeconds()) * 1000).thenApply(outcome -> switch (outcome) {
                                case STORED -> {
                                    published.addAndGet(passports.size());
                                    yield new Answer(201, "{\"stored\":" + passports.size() + "}");
                                }
                                case REPLAYED -> refused(CpsTokens.Refusal.REPLAYED);
                                case TOO_MANY -> refused(CpsTokens.Refusal.TOO_MANY);
                                case FULL -> {
                                    refusals.incrementAndGet(CpsTokens.Refusal.TOO_MANY.ordinal());
                                    yield new Answer(503, "{\"error\":{\"reason\":\"store_full\","
                                            + "\"text\":\"the CPS holds as many calls as it may\"}}");
                                }
                            }).exceptionally(error -> unavailable());
                });
    }

    /** The body's {"passports":[...]} (at least one string), or null. */
    private static List<String> passports(byte[] body) {
        Map<String, Object> m = Json.parseObject(body, 0, body.length);
        if (m == null || m.size() != 1 || !(m.get("passports") instanceof List<?> list) || list.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                return null;
            }
            out.add(s);
        }
        return out;
    }

    private Answer refused(CpsTokens.Refusal r) {
        refusals.incrementAndGet(r.ordinal());
        StringBuilder b = new StringBuilder(128).append("{\"error\":{\"reason\":");
        Json.quote(b, r.name().toLowerCase(java.util.Locale.ROOT)).append(",\"text\":");
        return new Answer(r.status(), Json.quote(b, r.description()).append("}}").toString());
    }

    /** The store failed (Redis down): 503, counted. */
    private Answer unavailable() {
        storeFailures.incrementAndGet();
        return new Answer(503, "{\"error\":{\"reason\":\"store_unavailable\","
                + "\"text\":\"the CPS store did not answer\"}}");
    }

    private static CompletableFuture<Answer> done(Answer r) {
        return CompletableFuture.completedFuture(r);
    }

    /** How often {@code r} was the answer. */
    public long refusals(CpsTokens.Refusal r) {
        return refusals.get(r.ordinal());
    }

    /** PASSporTs stored and handed out so far, and store failures. */
    public long[] totals() {
        return new long[] {published.get(), retrieved.get(), storeFailures.get()};
    }

    /** Prometheus text: PASSporTs published and retrieved, store failures, refusals by reason. */
    public String metrics() {
        StringBuilder b = new StringBuilder(1024);
        b.append("# HELP shakengate_cps_published_total PASSporTs published to the CPS served here.\n")
                .append("# TYPE shakengate_cps_published_total counter\nshakengate_cps_published_total ")
                .append(published.get())
                .append("\n# HELP shakengate_cps_retrieved_total PASSporTs retrieved from the CPS served here.\n")
                .append("# TYPE shakengate_cps_retrieved_total counter\nshakengate_cps_retrieved_total ")
                .append(retrieved.get())
                .append("\n# HELP shakengate_cps_store_failures_total CPS store operations that failed.\n")
                .append("# TYPE shakengate_cps_store_failures_total counter\n")
                .append("shakengate_cps_store_failures_total ").append(storeFailures.get())
                .append("\n# HELP shakengate_cps_refusals_total CPS requests refused, by reason.\n")
                .append("# TYPE shakengate_cps_refusals_total counter\n");
        for (CpsTokens.Refusal r : CpsTokens.Refusal.values()) {
            b.append("shakengate_cps_refusals_total{reason=\"").append(r.name().toLowerCase(java.util.Locale.ROOT))
                    .append("\"} ").append(refusals.get(r.ordinal())).append('\n');
        }
        return b.toString();
    }

    /** The store. */
    public CpsStore store() {
        return store;
    }
}
