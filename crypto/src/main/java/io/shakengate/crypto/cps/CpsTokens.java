package io.shakengate.crypto.cps;

import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Json;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.Es256Signer;
import io.shakengate.crypto.sign.Es256Verifier;
import io.shakengate.crypto.x509.ChainValidator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The Call Placement Service's bearer tokens (ATIS-1000096/1000105 as the standards digest section 11.2
 * describes them, following TransNexus's public CPS): a JWS signed with the requester's SHAKEN key, header
 * {@code {"alg":"ES256","x5u":...}}, claims {@code action} ("publish"/"retrieve"), {@code aud} (the CPS host),
 * {@code iss} and {@code spc} (the requester's SPC, which must be its certificate's TNAuthList SPC),
 * {@code iat}, {@code exp} (publish: when the CPS must drop the PASSporTs), {@code jti} (replay protection),
 * {@code orig}/{@code dest} (the path's numbers) and, for publish, {@code passports} =
 * "sha256-" + base64(SHA-256(JCS(the body's passports array))).
 *
 * <p>{@link #create} writes them (claims in JCS order, as the digest's example); {@link Verifier} checks
 * them, cheap checks first and the certificate last, and answers with one {@link Refusal} or the claims.
 * Replay (a {@code jti} seen before) is the store's check, since only it remembers.
 */
public final class CpsTokens {
    private CpsTokens() {
    }

    /** The two operations. */
    public enum Action {
        PUBLISH("publish"), RETRIEVE("retrieve");

        private final String claim;

        Action(String claim) {
            this.claim = claim;
        }

        /** The {@code action} claim value. */
        public String claim() {
            return claim;
        }
    }

    /** Why a token (or a publish) is refused: each with a stable id, the HTTP status and a description. */
    public enum Refusal {
        TOKEN_MISSING(1, 401, "no bearer token"),
        TOKEN_MALFORMED(2, 401, "the token is not a compact JWS with JSON header and claims"),
        ALG_UNSUPPORTED(3, 401, "the token's alg is not ES256"),
        X5U_REFUSED(4, 401, "the token's x5u is missing or not an acceptable https URL"),
        CLAIMS_MALFORMED(5, 401, "a required claim is missing or of the wrong type"),
        ACTION_MISMATCH(6, 401, "the token's action does not match the request"),
        AUDIENCE_MISMATCH(7, 401, "the token's aud is not this CPS"),
        PATH_MISMATCH(8, 403, "the token's spc, orig or dest do not match the request path"),
        TOKEN_STALE(9, 401, "the token's iat is not fresh"),
        TOKEN_EXPIRED(10, 401, "the token's exp has passed"),
        RETENTION_TOO_LONG(11, 400, "exp is further after iat than the retention limit allows"),
        REPLAYED(12, 409, "the token's jti was used before"),
        DIGEST_MISMATCH(13, 403, "the body's passports do not match the token's passports digest"),
        CERT_FETCH_FAILED(14, 401, "the requester's certificate could not be fetched"),
        CERT_INVALID(15, 401, "the requester's certificate chain is not valid under the trusted STI-CAs"),
        ISSUER_MISMATCH(16, 403, "iss or spc differ from the SPC of the requester's certificate"),
        SIGNATURE_INVALID(17, 401, "the token's signature does not verify"),
        BODY_MALFORMED(18, 400, "the body is not {\"passports\":[\"<PASSporT>\", ...]}"),
        PASSPORT_MALFORMED(19, 400, "a published PASSporT is not a SHAKEN PASSporT"),
        PASSPORT_MISMATCH(20, 403, "a published PASSporT's orig or dest do not match the request path"),
        PASSPORT_STALE(21, 400, "a published PASSporT's iat is not fresh"),
        TOO_MANY(22, 413, "more PASSporTs than the CPS keeps for one call");

        private final int id;
        private final int status;
        private final String description;

        Refusal(int id, int status, String description) {
            this.id = id;
            this.status = status;
            this.description = description;
        }

        /** Stable id. */
        public int id() {
            return id;
        }

        /** The HTTP status of the refusal. */
        public int status() {
            return status;
        }

        /** What was wrong. */
        public String description() {
            return description;
        }
    }

    /**
     * A token's claims.
     *
     * @param exp             publish: when the PASSporTs must be dropped; retrieve: 0
     * @param passportsDigest publish: the body digest; retrieve: null
     */
    public record Claims(Action action, String aud, String iss, String spc, String origTn, List<String> destTns,
                         long iat, long exp, String jti, String passportsDigest) {
    }

    /** "sha256-" + base64(SHA-256(JCS(passports))): the publish token's {@code passports} claim. */
    public static String digest(List<String> passports) {
        StringBuilder jcs = new StringBuilder(passports.size() * 600).append('[');
        for (int i = 0; i < passports.size(); i++) {
            Json.quote(i == 0 ? jcs : jcs.append(','), passports.get(i));
        }
        jcs.append(']');
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(jcs.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signed token for {@code c}, with {@code x5u} naming the signer's certificate. */
    public static String create(Es256Signer signer, String x5u, Claims c) {
        StringBuilder h = new StringBuilder(96).append("{\"alg\":\"ES256\",\"x5u\":");
        Json.quote(h, x5u).append('}');
        StringBuilder b = new StringBuilder(320).append("{\"action\":");
        Json.quote(b, c.action().claim()).append(",\"aud\":");
        Json.quote(b, c.aud()).append(",\"dest\":{\"tn\":[");
        for (int i = 0; i < c.destTns().size(); i++) {
            Json.quote(i == 0 ? b : b.append(','), c.destTns().get(i));
        }
        b.append("]}");
        if (c.action() == Action.PUBLISH) {
            b.append(",\"exp\":").append(c.exp());
        }
        b.append(",\"iat\":").append(c.iat()).append(",\"iss\":");
        Json.quote(b, c.iss()).append(",\"jti\":");
        Json.quote(b, c.jti()).append(",\"orig\":{\"tn\":");
        Json.quote(b, c.origTn()).append('}');
        if (c.action() == Action.PUBLISH) {
            b.append(",\"passports\":");
            Json.quote(b, c.passportsDigest());
        }
        b.append(",\"spc\":");
        Json.quote(b, c.spc()).append('}');
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String input = enc.encodeToString(h.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + enc.encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
        return input + "." + enc.encodeToString(signer.sign(input.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A verified token's claims, or the refusal. */
    public record Checked(Refusal refusal, Claims claims) {
        static Checked refused(Refusal r) {
            return new Checked(r, null);
        }
    }

    /** Checks tokens for one CPS: thread-safe. */
    public static final class Verifier {
        private final String audience;
        private final int freshnessSeconds;
        private final int maxRetentionSeconds;
        private final PassportVerifier.Config urlRules;
        private final CertificateSource certificates;
        private final ChainValidator chains;
        private final LongSupplier clock;
        private final ThreadLocal<Es256Verifier> verifiers;

        /**
         * A verifier for the CPS named {@code audience}: tokens fresh within {@code freshnessSeconds}, exp at
         * most {@code maxRetentionSeconds} after iat, x5u by {@code urlRules}, certificates from
         * {@code certificates} validated by {@code chains}; {@code clock} in epoch seconds.
         */
        public Verifier(String audience, int freshnessSeconds, int maxRetentionSeconds,
                        PassportVerifier.Config urlRules, CertificateSource certificates, ChainValidator chains,
                        LongSupplier clock, EcdsaProvider provider) {
            this.audience = audience;
            this.freshnessSeconds = freshnessSeconds;
            this.maxRetentionSeconds = maxRetentionSeconds;
            this.urlRules = urlRules;
            this.certificates = certificates;
            this.chains = chains;
            this.clock = clock;
            this.verifiers = ThreadLocal.withInitial(() -> new Es256Verifier(provider));
        }

        /**
         * Checks {@code token} for {@code action} on the path (spc, dest, orig); for publish,
         * {@code bodyDigest} is {@link #digest} of the body's passports. Completes at once unless the
         * certificate must be fetched.
         */
        public CompletableFuture<Checked> check(String token, Action action, String pathSpc, String pathDest,
                                                String pathOrig, String bodyDigest) {
            if (token == null || token.isEmpty()) {
                return done(Refusal.TOKEN_MISSING);
            }
            String[] parts = token.split("\\.", -1);
            if (parts.length != 3 || token.length() > 8192) {
                return done(Refusal.TOKEN_MALFORMED);
            }
            Map<String, Object> h;
            Map<String, Object> c;
            byte[] sig;
            try {
                Base64.Decoder dec = Base64.getUrlDecoder();
                byte[] hb = dec.decode(parts[0]);
                byte[] cb = dec.decode(parts[1]);
                sig = dec.decode(parts[2]);
                h = Json.parseObject(hb, 0, hb.length);
                c = Json.parseObject(cb, 0, cb.length);
            } catch (IllegalArgumentException e) {
                return done(Refusal.TOKEN_MALFORMED);
            }
            if (h == null || c == null) {
                return done(Refusal.TOKEN_MALFORMED);
            }
            if (!"ES256".equals(h.get("alg")) || sig.length != 64) {
                return done(Refusal.ALG_UNSUPPORTED);
            }
            if (!(h.get("x5u") instanceof String x5u) || !PassportVerifier.isAcceptableUrl(urlRules, x5u)) {
                return done(Refusal.X5U_REFUSED);
            }
            Claims claims = claims(c);
            if (claims == null || (action == Action.PUBLISH && (claims.exp() <= 0 || claims.passportsDigest() == null))) {
                return done(Refusal.CLAIMS_MALFORMED);
            }
            if (claims.action() != action) {
                return done(Refusal.ACTION_MISMATCH);
            }
            if (!audience.equalsIgnoreCase(claims.aud())) {
                return done(Refusal.AUDIENCE_MISMATCH);
            }
            if (!claims.spc().equals(pathSpc) || !claims.origTn().equals(pathOrig)
                    || !claims.destTns().contains(pathDest)) {
                return done(Refusal.PATH_MISMATCH);
            }
            long now = clock.getAsLong();
            if (Math.abs(now - claims.iat()) > freshnessSeconds) {
                return done(Refusal.TOKEN_STALE);
            }
            if (action == Action.PUBLISH) {
                if (claims.exp() <= now) {
                    return done(Refusal.TOKEN_EXPIRED);
                }
                if (claims.exp() - claims.iat() > maxRetentionSeconds) {
                    return done(Refusal.RETENTION_TOO_LONG);
                }
                if (!claims.passportsDigest().equals(bodyDigest)) {
                    return done(Refusal.DIGEST_MISMATCH);
                }
            }
            byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            return certificates.chain(x5u).thenApply(chain -> {
                if (chain.failure() != null || chain.certificates().isEmpty()) {
                    return Checked.refused(Refusal.CERT_FETCH_FAILED);
                }
                ChainValidator.Result v = chain.validate(chains, new Date(clock.getAsLong() * 1000));
                if (v.failure() != null) {
                    return Checked.refused(Refusal.CERT_INVALID);
                }
                if (!claims.iss().equals(v.validated().spc()) || !claims.spc().equals(v.validated().spc())) {
                    return Checked.refused(Refusal.ISSUER_MISMATCH);
                }
                if (!verifiers.get().verify(input, 0, input.length, sig, 0, sig.length,
                        v.validated().endEntity().getPublicKey())) {
                    return Checked.refused(Refusal.SIGNATURE_INVALID);
                }
                return new Checked(null, claims);
            });
        }

        private static CompletableFuture<Checked> done(Refusal r) {
            return CompletableFuture.completedFuture(Checked.refused(r));
        }

        private static Claims claims(Map<String, Object> c) {
            Action action = "publish".equals(c.get("action")) ? Action.PUBLISH
                    : "retrieve".equals(c.get("action")) ? Action.RETRIEVE : null;
            if (action == null || !(c.get("aud") instanceof String aud) || !(c.get("iss") instanceof String iss)
                    || !(c.get("spc") instanceof String spc) || !(c.get("iat") instanceof Long iat)
                    || !(c.get("jti") instanceof String jti) || jti.isEmpty() || jti.length() > 64
                    || !(c.get("orig") instanceof Map<?, ?> orig) || !(orig.get("tn") instanceof String origTn)
                    || !(c.get("dest") instanceof Map<?, ?> dest) || !(dest.get("tn") instanceof List<?> destList)
                    || destList.isEmpty()) {
                return null;
            }
            List<String> destTns = new ArrayList<>(destList.size());
            for (Object o : destList) {
                if (!(o instanceof String s)) {
                    return null;
                }
                destTns.add(s);
            }
            long exp = c.get("exp") instanceof Long e ? e : 0;
            String digest = c.get("passports") instanceof String d ? d : null;
            return new Claims(action, aud, iss, spc, origTn, destTns, iat, exp, jti, digest);
        }
    }
}
