package io.shakengate.crypto;

import io.shakengate.crypto.passport.CompactForm;
import io.shakengate.crypto.passport.Passport;
import io.shakengate.crypto.passport.PassportParser;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.Es256Verifier;
import io.shakengate.crypto.x509.ChainValidator;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The SHAKEN verification service's check list (standards digest section 7.2), in order, cheap checks first
 * and the network last, signature after the chain: parse; ppt parameter; info URL rules; header members;
 * x5u = info; typ; alg; ppt claim; claims; orig/dest against the request; Date freshness; the chain; the
 * signature; iat freshness; attest. The first failure is the result.
 *
 * <p>Thread-safe: per-thread signature verifiers; the rest is immutable.
 */
public final class PassportVerifier {
    /**
     * What the verifier needs to know about the request and its Identity header.
     *
     * @param destTns the called numbers the PASSporT may name: the request's (canonical To or Request-URI),
     *                plus the original targets that verified div PASSporTs vouch for (RFC 8946)
     * @param dateEpochSeconds the SIP Date, or -1 when absent (then iat alone decides freshness)
     */
    public record Request(String token, String info, String algParam, String pptParam, String origTn,
                          List<String> destTns, long dateEpochSeconds) {
    }

    /**
     * Settings.
     *
     * @param freshnessSeconds  how far Date and iat may be from now, both ways (RFC 8224 recommends 60)
     * @param allowedPorts      ports an x5u URL may name (443 and 8443 by default; none named means 443)
     * @param allowPrivateHosts whether x5u may name loopback, private or link-local IP literals (tests only)
     * @param allowCompactForm  whether compact-form Identity headers are verified (not SHAKEN; off by default)
     */
    public record Config(int freshnessSeconds, Set<Integer> allowedPorts, boolean allowPrivateHosts,
                         boolean allowCompactForm) {
        /** The defaults: 60 s, ports 443 and 8443, no private hosts, no compact form. */
        public static final Config DEFAULT = new Config(60, Set.of(443, 8443), false, false);
    }

    /**
     * A compact-form Identity header ({@code ..signature}) and what its PASSporT is rebuilt from.
     *
     * @param dateEpochSeconds the SIP Date, which becomes {@code iat}; required
     */
    public record CompactRequest(String token, String info, String pptParam, CompactForm.Identity orig,
                                 CompactForm.Identity dest, long dateEpochSeconds) {
    }

    private final Config config;
    private final CertificateSource certificates;
    private final ChainValidator chains;
    private final LongSupplier clock;
    private final PassportParser parser = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);
    private final ThreadLocal<Es256Verifier> verifiers;
    private final VerifiedTokens verified;

    /** A verifier; {@code clock} gives the current time in epoch seconds. */
    public PassportVerifier(Config config, CertificateSource certificates, ChainValidator chains, LongSupplier clock,
                            EcdsaProvider provider) {
        this(config, certificates, chains, clock, ThreadLocal.withInitial(() -> new Es256Verifier(provider)),
                new VerifiedTokens(100_000, 2000L * config.freshnessSeconds(), () -> clock.getAsLong() * 1000));
    }

    private PassportVerifier(Config config, CertificateSource certificates, ChainValidator chains, LongSupplier clock,
                             ThreadLocal<Es256Verifier> verifiers, VerifiedTokens verified) {
        this.config = config;
        this.certificates = certificates;
        this.chains = chains;
        this.clock = clock;
        this.verifiers = verifiers;
        this.verified = verified;
    }

    /**
     * This verifier with other trust anchors and CRL ({@code chains}), keeping its certificate source (the x5u
     * cache) and the signature outcomes it remembers: those are keyed by the end-entity key, and every chain is
     * validated again against {@code chains} at each verification.
     */
    public PassportVerifier withChains(ChainValidator chains) {
        return new PassportVerifier(config, certificates, chains, clock, verifiers, verified);
    }

    /** This verifier fetching certificates from {@code other}, keeping its chains and remembered outcomes. */
    public PassportVerifier withCertificates(CertificateSource other) {
        return new PassportVerifier(config, other, chains, clock, verifiers, verified);
    }

    /** Where it gets certificates (the x5u cache). */
    public CertificateSource certificates() {
        return certificates;
    }

    /**
     * This verifier remembering at most {@code maxEntries} signature outcomes (1: practically none; benchmarks
     * that must pay for every signature use it), keeping its certificate source and chains.
     */
    public PassportVerifier withTokenMemory(int maxEntries) {
        return new PassportVerifier(config, certificates, chains, clock, verifiers,
                new VerifiedTokens(maxEntries, 2000L * config.freshnessSeconds(), () -> clock.getAsLong() * 1000));
    }

    /** The settings. */
    public Config config() {
        return config;
    }

    /** The per-token signature outcomes (retransmissions and forks are verified once). */
    public VerifiedTokens verifiedTokens() {
        return verified;
    }

    /**
     * Verifies one SHAKEN Identity header of a request. Never throws on hostile input. The future is already
     * complete when the certificate was cached; otherwise it completes when the fetch does, on the fetching
     * thread (the caller hops back to its event loop).
     */
    public CompletableFuture<VerificationResult> verify(Request r) {
        return verify(r, "shaken");
    }

    /**
     * Verifies a "div" PASSporT (RFC 8946: a retargeting provider vouches that the call to the original
     * number now goes to the request's number). When it passes, {@link VerificationResult#divTn()} is the
     * original called number, which the request's SHAKEN PASSporT may name as its {@code dest}.
     */
    public CompletableFuture<VerificationResult> verifyDiv(Request r) {
        return verify(r, "div");
    }

    /**
     * Verifies a "div-o" PASSporT (RFC 8946 section 6): a div PASSporT for out-of-band delivery that carries, in
     * its {@code opt} claim, the PASSporT of the call before this diversion (full form). Checked as a div is;
     * {@code opt} must be a string of three dot-separated parts. The nested PASSporT is the caller's to verify,
     * as the call's PASSporT for the original number ({@link VerificationResult#divTn()}); it is in the
     * result's claims under {@code opt}.
     */
    public CompletableFuture<VerificationResult> verifyDivO(Request r) {
        return verify(r, "div-o");
    }

    /**
     * Verifies an "rcd" PASSporT (RFC 9795): the shared checks, then its {@code rcd} claim ({@code nam}
     * required; {@code jcd} and {@code jcl} never both; URLs https; {@code rcdi} values well-formed, see
     * {@link RichCallData}). The digests in {@code rcdi} cover fetched content and are checked by the caller
     * when it fetches (see {@link RichCallData#digestMatches}). The verified claims are in the result.
     */
    public CompletableFuture<VerificationResult> verifyRcd(Request r) {
        return verify(r, "rcd");
    }

    /**
     * Verifies an "rph" PASSporT (RFC 8443): the shared checks, then its {@code rph.auth} list. Whether that list
     * authorises the request's Resource-Priority is the caller's to compare ({@link Passport#rphAuth()} of the
     * verified claims).
     */
    public CompletableFuture<VerificationResult> verifyRph(Request r) {
        return verify(r, "rph");
    }

    /**
     * Verifies a compact-form Identity header (RFC 8224 section 5): refused as PASSPORT_COMPACT_FORM unless
     * {@link Config#allowCompactForm()}; otherwise the PASSporT is rebuilt from the request and its signature
     * checked with the chain at {@code info}.
     */
    public CompletableFuture<VerificationResult> verifyCompact(CompactRequest r) {
        if (!config.allowCompactForm() || r.token() == null || !r.token().startsWith("..")) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.PASSPORT_COMPACT_FORM));
        }
        if (r.info() == null) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.INFO_MISSING));
        }
        if (!isAcceptableUrl(r.info())) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.INFO_URL_REFUSED));
        }
        byte[] sig;
        try {
            sig = java.util.Base64.getUrlDecoder().decode(r.token().substring(2));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.PASSPORT_MALFORMED));
        }
        long now = clock.getAsLong();
        if (r.dateEpochSeconds() < 0 || r.orig() == null || r.dest() == null) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.CLAIMS_MALFORMED));
        }
        if (Math.abs(now - r.dateEpochSeconds()) > config.freshnessSeconds()) {
            return CompletableFuture.completedFuture(VerificationResult.failed(VerificationFailure.DATE_STALE));
        }
        byte[] input = CompactForm.signingInput(r.info(), r.pptParam(), r.orig(), r.dest(), r.dateEpochSeconds());
        return certificates.chain(r.info()).thenApply(chain -> {
            if (chain.failure() != null || chain.certificates().isEmpty()) {
                return VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED);
            }
            ChainValidator.Result v = chain.validate(chains, new Date(clock.getAsLong() * 1000));
            if (v.failure() != null) {
                return VerificationResult.failed(v.failure());
            }
            if (!v.validated().covers(r.orig().tn())) {
                return VerificationResult.failed(VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE);
            }
            boolean ok = verifiers.get().verify(input, 0, input.length, sig, 0, sig.length,
                    v.validated().endEntity().getPublicKey());
            return ok ? new VerificationResult(null, null, null, v.validated().spc(), subject(v), null)
                    : new VerificationResult(VerificationFailure.SIGNATURE_INVALID, null, null, v.validated().spc(),
                    subject(v), null);
        });
    }

    private CompletableFuture<VerificationResult> verify(Request r, String ppt) {
        Passport[] passport = new Passport[1];
        VerificationResult early = precheck(r, ppt, passport);
        if (early != null) {
            return CompletableFuture.completedFuture(early);
        }
        Passport p = passport[0];
        CompletableFuture<CertificateSource.Chain> chain = certificates.chain(p.x5u());
        if (chain.isDone()) {
            return CompletableFuture.completedFuture(finish(p, ppt, chain.join()));
        }
        return chain.thenApply(c -> finish(p, ppt, c));
    }

    /** Checks 1 to 12 of the list (no I/O); null when they pass, with the parsed passport in {@code out[0]}. */
    private VerificationResult precheck(Request r, String ppt, Passport[] out) {
        if (r.token() == null) {
            return VerificationResult.failed(VerificationFailure.NO_IDENTITY);
        }
        PassportParser.Result parsed = parser.parse(r.token());
        if (parsed.failure() == VerificationFailure.PASSPORT_MALFORMED
                || parsed.failure() == VerificationFailure.PASSPORT_COMPACT_FORM) {
            return VerificationResult.failed(parsed.failure());
        }
        if (!ppt.equals(r.pptParam())) {
            return VerificationResult.failed(VerificationFailure.PPT_UNSUPPORTED);
        }
        if (r.info() == null) {
            return VerificationResult.failed(VerificationFailure.INFO_MISSING);
        }
        if (!isAcceptableUrl(r.info())) {
            return VerificationResult.failed(VerificationFailure.INFO_URL_REFUSED);
        }
        if (parsed.failure() != null) {
            return VerificationResult.failed(parsed.failure());
        }
        Passport p = parsed.passport();
        if (p.alg() == null || p.typ() == null || p.x5u() == null || p.ppt() == null) {
            return VerificationResult.failed(VerificationFailure.HEADER_MALFORMED);
        }
        if (!p.x5u().equals(r.info())) {
            return VerificationResult.failed(VerificationFailure.X5U_INFO_MISMATCH);
        }
        if (!"passport".equals(p.typ())) {
            return VerificationResult.failed(VerificationFailure.TYP_INVALID);
        }
        if (!"ES256".equals(p.alg()) || (r.algParam() != null && !"ES256".equals(r.algParam()))) {
            return VerificationResult.failed(VerificationFailure.ALG_UNSUPPORTED);
        }
        if (!ppt.equals(p.ppt())) {
            return VerificationResult.failed(VerificationFailure.PPT_CLAIM_INVALID);
        }
        List<String> dest = p.destTns();
        if (dest == null || dest.isEmpty() || p.iat() < 0 || p.origTn() == null || !typeClaims(p, ppt)) {
            return VerificationResult.failed(VerificationFailure.CLAIMS_MALFORMED);
        }
        if (!p.origTn().equals(r.origTn())) {
            return VerificationResult.failed(VerificationFailure.ORIG_MISMATCH);
        }
        if (!containsAny(dest, r.destTns())) {
            return VerificationResult.failed(VerificationFailure.DEST_MISMATCH);
        }
        long now = clock.getAsLong();
        if (r.dateEpochSeconds() >= 0 && Math.abs(now - r.dateEpochSeconds()) > config.freshnessSeconds()) {
            return VerificationResult.failed(VerificationFailure.DATE_STALE);
        }
        out[0] = p;
        return null;
    }

    /** The claims of the PASSporT type: div's {@code div}, SHAKEN's attest and origid, rcd's and rph's own. */
    private static boolean typeClaims(Passport p, String ppt) {
        return switch (ppt) {
            case "div" -> p.divTn() != null;
            case "div-o" -> p.divTn() != null && p.claims().get("opt") instanceof String opt && isJws(opt);
            case "rcd" -> p.rcd() != null && RichCallData.wellFormed(p.claims());
            case "rph" -> p.rphAuth() != null;
            default -> p.attest() != null && p.origid() != null
                    && (!p.claims().containsKey("rcd") || RichCallData.wellFormed(p.claims()));
        };
    }

    /** Whether {@code s} has the shape of a JWS in compact serialization: three parts, two dots, no blank. */
    private static boolean isJws(String s) {
        int first = s.indexOf('.');
        int second = first < 0 ? -1 : s.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && second < s.length() - 1 && s.indexOf('.', second + 1) < 0
                && s.indexOf(' ') < 0;
    }

    /** Checks 13 to 17: the chain, the signature, iat, attest. */
    private VerificationResult finish(Passport p, String ppt, CertificateSource.Chain chain) {
        boolean div = ppt.equals("div") || ppt.equals("div-o");
        String divTn = div ? p.divTn() : null;
        long now = clock.getAsLong();
        if (chain.failure() != null || chain.certificates().isEmpty()) {
            return VerificationResult.failed(VerificationFailure.CERT_FETCH_FAILED);
        }
        ChainValidator.Result validated = chain.validate(chains, new Date(now * 1000));
        if (validated.failure() != null) {
            return VerificationResult.failed(validated.failure());
        }
        // a delegate signs for its numbers: the caller's, or for div the number it retargeted (RFC 8946 section 5)
        if (!validated.validated().covers(div ? divTn : p.origTn())) {
            return VerificationResult.failed(VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE);
        }
        java.security.PublicKey key = validated.validated().endEntity().getPublicKey();
        Boolean known = verified.lookup(p.token(), key);
        boolean valid;
        if (known != null) {
            valid = known;
        } else {
            byte[] sig = p.signature();
            valid = verifiers.get().verify(p.signingInput(), 0, p.signingInput().length, sig, 0, sig.length, key);
            verified.remember(p.token(), key, valid);
        }
        if (!valid) {
            return new VerificationResult(VerificationFailure.SIGNATURE_INVALID, null, null,
                    validated.validated().spc(), subject(validated), null);
        }
        if (now - p.iat() > config.freshnessSeconds()) {
            return VerificationResult.failed(VerificationFailure.IAT_STALE);
        }
        if (p.iat() - now > config.freshnessSeconds()) {
            return VerificationResult.failed(VerificationFailure.IAT_IN_FUTURE);
        }
        if (!ppt.equals("shaken")) {
            return new VerificationResult(null, null, null, validated.validated().spc(), subject(validated), divTn,
                    p.claims());
        }
        if (!p.attest().equals("A") && !p.attest().equals("B") && !p.attest().equals("C")) {
            return VerificationResult.failed(VerificationFailure.ATTEST_INVALID);
        }
        return new VerificationResult(null, p.attest(), p.origid(), validated.validated().spc(), subject(validated),
                null, p.claims());
    }

    private static boolean containsAny(List<String> claimed, List<String> request) {
        for (String tn : request) {
            if (claimed.contains(tn)) {
                return true;
            }
        }
        return false;
    }

    private static String subject(ChainValidator.Result v) {
        return v.validated().subject();
    }

    /**
     * The x5u rules: https only, an allowed port, no userinfo, query or fragment, and no IP literal in a
     * loopback, private, link-local or unspecified range unless configured. Decided on the text alone: no
     * name is resolved and no connection is attempted here.
     */
    boolean isAcceptableUrl(String url) {
        Boolean known = acceptableUrls.get(url);
        if (known != null) {
            return known;
        }
        boolean acceptable = isAcceptableUrl(config, url);
        if (acceptableUrls.size() >= ACCEPTABLE_URLS_REMEMBERED) {
            acceptableUrls.clear(); // a flood of distinct URLs: start again rather than grow
        }
        acceptableUrls.put(url, acceptable);
        return acceptable;
    }

    /** How many x5u URLs {@link #isAcceptableUrl(String)} remembers (it is a pure function of the text). */
    static final int ACCEPTABLE_URLS_REMEMBERED = 4096;
    private final java.util.concurrent.ConcurrentHashMap<String, Boolean> acceptableUrls =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The x5u rules of {@link #isAcceptableUrl(String)} under {@code config} (also for CPS tokens' x5u). */
    public static boolean isAcceptableUrl(Config config, String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            return false;
        }
        int port = u.getPort() < 0 ? 443 : u.getPort();
        if (!config.allowedPorts().contains(port)) {
            return false;
        }
        return config.allowPrivateHosts() || !isSpecialAddressLiteral(u.getHost());
    }

    private static boolean isDottedDigits(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpecialAddressLiteral(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        boolean literal = h.indexOf(':') >= 0 || isDottedDigits(h);
        if (!literal) {
            return h.equalsIgnoreCase("localhost") || h.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost");
        }
        try {
            InetAddress a = InetAddress.getByName(h);
            return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                    || a.isMulticastAddress() || (a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc)
                    || (a instanceof Inet4Address && (a.getAddress()[0] & 0xff) == 100
                    && (a.getAddress()[1] & 0xc0) == 64);
        } catch (java.net.UnknownHostException e) {
            return true;
        }
    }
}
