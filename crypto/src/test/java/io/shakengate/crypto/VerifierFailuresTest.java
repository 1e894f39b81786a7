package io.shakengate.crypto;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.testing.TestPki.Flaw;
import io.shakengate.crypto.x509.ChainValidator;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per way a PASSporT or its certificate can be wrong, on a PKI made here; each its own reason. */
class VerifierFailuresTest {
    private static final String URL = "https://cert.test.example/sti/good.pem";
    private static final long NOW = 1_800_000_000L;
    private static final String ORIG = "12155550121";
    private static final String DEST = "12155550131";

    private final TestPki pki = new TestPki(NOW * 1000);
    private final TestPki.Issued good = pki.endEntity(Flaw.NONE);
    private final Map<String, List<X509Certificate>> served = new HashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private X509CRL crl;

    private PassportVerifier verifier() {
        CertificateSource source = url -> {
            fetches.incrementAndGet();
            List<X509Certificate> chain = served.get(url);
            return CompletableFuture.completedFuture(chain == null ? CertificateSource.Chain.failed("HTTP 404")
                    : CertificateSource.Chain.of(chain));
        };
        return new PassportVerifier(PassportVerifier.Config.DEFAULT, source,
                new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), crl), () -> NOW,
                EcdsaProvider.selected());
    }

    private String sign(TestPki.Issued signer, String url, long iat) {
        PassportSigner s = new PassportSigner(new SignerPool(EcdsaProvider.selected(), signer.keys().getPrivate()), url);
        String identity = s.identity(new ShakenClaims(Attestation.A, ORIG, List.of(DEST), iat,
                "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f"));
        return identity.substring(0, identity.indexOf(';'));
    }

    private VerificationResult verify(String token, String info) {
        return verifier().verify(new PassportVerifier.Request(token, info, "ES256", "shaken", ORIG, List.of(DEST), -1))
                .join();
    }

    private VerificationFailure failureWithChain(TestPki.Issued ee, List<X509Certificate> chain) {
        served.put(URL, chain);
        return verify(sign(ee, URL, NOW), URL).failure();
    }

    @Test
    void goodTokenPasses() {
        served.put(URL, pki.chain(good));
        VerificationResult r = verify(sign(good, URL, NOW), URL);
        assertTrue(r.passed(), r.toString());
        assertEquals("A", r.attest());
        assertEquals(TestPki.SPC, r.spc());
        assertEquals(VerificationFailure.VERSTAT_PASSED, r.verstat());
    }

    @Test
    void retransmissionsAreVerifiedOnce() {
        served.put(URL, pki.chain(good));
        PassportVerifier v = verifier();
        String token = sign(good, URL, NOW);
        PassportVerifier.Request r = new PassportVerifier.Request(token, URL, "ES256", "shaken", ORIG, List.of(DEST),
                -1);
        assertTrue(v.verify(r).join().passed());
        assertEquals(1, v.verifiedTokens().size());
        assertEquals(Boolean.TRUE, v.verifiedTokens().lookup(token, good.cert().getPublicKey()));
        assertTrue(v.verify(r).join().passed(), "the retransmission passes from the remembered outcome");
        assertEquals(1, v.verifiedTokens().size());
        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        PassportVerifier.Request bad = new PassportVerifier.Request(forged, URL, "ES256", "shaken", ORIG,
                List.of(DEST), -1);
        assertEquals(VerificationFailure.SIGNATURE_INVALID, v.verify(bad).join().failure());
        assertEquals(VerificationFailure.SIGNATURE_INVALID, v.verify(bad).join().failure(), "remembered as bad");
        assertEquals(Boolean.FALSE, v.verifiedTokens().lookup(forged, good.cert().getPublicKey()));
        assertEquals(VerificationFailure.ORIG_MISMATCH, v.verify(new PassportVerifier.Request(token, URL, "ES256",
                "shaken", "12155550199", List.of(DEST), -1)).join().failure(), "per-request checks still run");
    }

    @Test
    void certificateFlawsEachHaveTheirReason() {
        TestPki.Issued expired = pki.endEntity(Flaw.EXPIRED);
        assertEquals(VerificationFailure.CERT_EXPIRED, failureWithChain(expired, pki.chain(expired)));
        TestPki.Issued notYet = pki.endEntity(Flaw.NOT_YET_VALID);
        assertEquals(VerificationFailure.CERT_NOT_YET_VALID, failureWithChain(notYet, pki.chain(notYet)));
        TestPki.Issued noTn = pki.endEntity(Flaw.NO_TNAUTHLIST);
        assertEquals(VerificationFailure.CERT_NO_TNAUTHLIST, failureWithChain(noTn, pki.chain(noTn)));
        TestPki.Issued ku = pki.endEntity(Flaw.WRONG_KEY_USAGE);
        assertEquals(VerificationFailure.CERT_PROFILE_VIOLATION, failureWithChain(ku, pki.chain(ku)));
        TestPki.Issued p384 = pki.endEntity(Flaw.WRONG_CURVE);
        served.put(URL, pki.chain(p384));
        assertEquals(VerificationFailure.CERT_PROFILE_VIOLATION, verify(sign(good, URL, NOW), URL).failure());
        TestPki other = new TestPki(NOW * 1000);
        TestPki.Issued rogue = other.endEntity(Flaw.NONE);
        assertEquals(VerificationFailure.CERT_UNTRUSTED, failureWithChain(rogue, other.chain(rogue)));
        assertEquals(VerificationFailure.CERT_UNTRUSTED, failureWithChain(good, List.of(good.cert())),
                "chain without its intermediate");
        assertEquals(VerificationFailure.CERT_UNTRUSTED, failureWithChain(good,
                List.of(pki.intermediate.cert(), good.cert())), "reversed chain");
        crl = pki.crlRevoking(good.cert());
        assertEquals(VerificationFailure.CERT_REVOKED, failureWithChain(good, pki.chain(good)));
        for (VerificationFailure f : List.of(VerificationFailure.CERT_EXPIRED, VerificationFailure.CERT_REVOKED,
                VerificationFailure.CERT_UNTRUSTED)) {
            assertEquals(437, f.sipStatus());
            assertEquals(VerificationFailure.VERSTAT_FAILED, f.verstat());
        }
    }

    @Test
    void tamperedTokensFailTheSignature() {
        served.put(URL, pki.chain(good));
        String token = sign(good, URL, NOW);
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"attest\":\"A\"", "\"attest\":\"B\"");
        String tamperedClaims = parts[0] + "." + b64(claims) + "." + parts[2];
        assertEquals(VerificationFailure.SIGNATURE_INVALID, verify(tamperedClaims, URL).failure());
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8)
                .replace("{", "{\"kid\":\"x\",");
        String tamperedHeader = b64(header) + "." + parts[1] + "." + parts[2];
        assertEquals(VerificationFailure.SIGNATURE_INVALID, verify(tamperedHeader, URL).failure());
        assertEquals(VerificationFailure.VERSTAT_FAILED, VerificationFailure.SIGNATURE_INVALID.verstat());
        assertEquals(VerificationFailure.PASSPORT_COMPACT_FORM, verify(".." + parts[2], URL).failure());
        assertEquals(VerificationFailure.PASSPORT_MALFORMED, verify(parts[0] + "." + parts[1] + ".", URL).failure());
        assertEquals(VerificationFailure.PASSPORT_MALFORMED, verify("a.b!.c", URL).failure());
    }

    @Test
    void algNoneAndHs256KeyedWithThePublicKeyAreRefused() throws Exception {
        served.put(URL, pki.chain(good));
        String token = sign(good, URL, NOW);
        String[] parts = token.split("\\.");
        String none = b64("{\"alg\":\"none\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" + URL + "\"}");
        assertEquals(VerificationFailure.ALG_UNSUPPORTED, verify(none + "." + parts[1] + ".AAAA", URL).failure());
        String hsHeader = b64("{\"alg\":\"HS256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" + URL + "\"}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(good.keys().getPublic().getEncoded(), "HmacSHA256"));
        byte[] hmac = mac.doFinal((hsHeader + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        String hs256 = hsHeader + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac);
        assertEquals(VerificationFailure.ALG_UNSUPPORTED, verify(hs256, URL).failure());
        assertEquals(437, VerificationFailure.ALG_UNSUPPORTED.sipStatus());
    }

    @Test
    void staleAndFutureIatAreStaleDate() {
        served.put(URL, pki.chain(good));
        assertEquals(VerificationFailure.IAT_STALE, verify(sign(good, URL, NOW - 61), URL).failure());
        assertEquals(VerificationFailure.IAT_IN_FUTURE, verify(sign(good, URL, NOW + 61), URL).failure());
        assertTrue(verify(sign(good, URL, NOW - 60), URL).passed(), "the window is inclusive");
        assertEquals(403, VerificationFailure.IAT_STALE.sipStatus());
        VerificationResult staleDate = verifier().verify(new PassportVerifier.Request(sign(good, URL, NOW), URL,
                "ES256", "shaken", ORIG, List.of(DEST), NOW - 120)).join();
        assertEquals(VerificationFailure.DATE_STALE, staleDate.failure());
    }

    @Test
    void forbiddenX5uUrlsAreRefusedWithoutAnyFetch() {
        for (String url : List.of("http://cert.test.example/c.pem", "https://10.1.2.3/c.pem", "https://127.0.0.1/c.pem",
                "https://[::1]/c.pem", "https://169.254.1.1/c.pem", "https://192.168.0.9/c.pem",
                "https://user@cert.test.example/c.pem", "https://cert.test.example:8080/c.pem",
                "https://cert.test.example/c.pem?x=1", "https://localhost/c.pem", "https://100.64.0.1/c.pem")) {
            served.put(url, pki.chain(good));
            assertEquals(VerificationFailure.INFO_URL_REFUSED, verify(sign(good, "https://cert.test.example/c.pem",
                    NOW), url).failure(), url);
        }
        assertEquals(0, fetches.get(), "no fetch was attempted");
        assertTrue(verifier().isAcceptableUrl("https://cert.test.example:8443/c.pem"));
    }

    @Test
    void mismatchesAndFetchFailures() {
        served.put(URL, pki.chain(good));
        String token = sign(good, URL, NOW);
        assertEquals(VerificationFailure.X5U_INFO_MISMATCH, verify(token, "https://other.test.example/c.pem").failure());
        assertEquals(VerificationFailure.ORIG_MISMATCH, verifier().verify(new PassportVerifier.Request(token, URL,
                "ES256", "shaken", "12155550199", List.of(DEST), -1)).join().failure());
        assertEquals(VerificationFailure.DEST_MISMATCH, verifier().verify(new PassportVerifier.Request(token, URL,
                "ES256", "shaken", ORIG, List.of("12155550199"), -1)).join().failure());
        assertEquals(VerificationFailure.PPT_UNSUPPORTED, verifier().verify(new PassportVerifier.Request(token, URL,
                "ES256", null, ORIG, List.of(DEST), -1)).join().failure());
        assertEquals(VerificationFailure.INFO_MISSING, verify(token, null).failure());
        served.clear();
        assertEquals(VerificationFailure.CERT_FETCH_FAILED, verify(token, URL).failure());
        assertEquals(436, VerificationFailure.CERT_FETCH_FAILED.sipStatus());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
