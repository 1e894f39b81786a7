package io.shakengate.crypto;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.shakengate.crypto.passport.CompactForm;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.Es256Signer;
import io.shakengate.crypto.sign.Es256Verifier;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.TrustAnchor;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8224 section 5: rebuilding a compact-form PASSporT from the request. */
class CompactFormTest {

    @Test
    @SuppressWarnings("unchecked")
    void shouldRebuildTheRfc8224ExampleByteForByte() throws Exception {
        Map<String, Object> v = JSONObjectUtils.parse(
                io.shakengate.crypto.testing.Vectors.text("rfc8224-4.1.1/compact-reconstruction.json"));
        byte[] rebuilt = CompactForm.signingInput("https://cert.example.org/passport.cer", null,
                CompactForm.Identity.tn("12155551212"), CompactForm.Identity.uri("sip:alice@example.com"), 1443208345L);
        Map<String, Object> numeric = (Map<String, Object>) v.get("reconstruction_with_numeric_iat");
        assertEquals(numeric.get("signing_input"), new String(rebuilt, StandardCharsets.US_ASCII));
        PublicKey key = SigningKeys.publicKey(io.shakengate.crypto.testing.Vectors.text(
                "rfc8224-4.1.1/verifying-public-key.pem"), "rfc8224 key");
        byte[] sig = Base64.getUrlDecoder().decode((String) v.get("signature"));
        Es256Verifier verifier = new Es256Verifier(EcdsaProvider.selected());
        // The RFC's example was signed over a string iat (a defect of the RFC, documented in the vectors): a
        // correct, numeric reconstruction does not verify, the string one does.
        assertFalse(verifier.verify(rebuilt, sig, key));
        assertEquals(Boolean.FALSE, numeric.get("verifies"));
        Map<String, Object> string = (Map<String, Object>) v.get("reconstruction_with_string_iat");
        assertTrue(verifier.verify(((String) string.get("signing_input")).getBytes(StandardCharsets.US_ASCII), sig, key));
    }

    @Test
    void shouldVerifyACompactFormOnlyWhenAllowed() {
        long now = 1_800_000_000L;
        TestPki pki = new TestPki(now * 1000);
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        String url = "https://cert.test.example/c.pem";
        CompactForm.Identity orig = CompactForm.Identity.tn("12155550121");
        CompactForm.Identity dest = CompactForm.Identity.tn("12155550131");
        byte[] input = CompactForm.signingInput(url, null, orig, dest, now);
        String token = ".." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                new Es256Signer(EcdsaProvider.selected(), ee.keys().getPrivate()).sign(input));
        CertificateSource source = u -> CompletableFuture.completedFuture(CertificateSource.Chain.of(pki.chain(ee)));
        ChainValidator chains = new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null);
        PassportVerifier shaken = new PassportVerifier(PassportVerifier.Config.DEFAULT, source, chains, () -> now,
                EcdsaProvider.selected());
        PassportVerifier.CompactRequest request = new PassportVerifier.CompactRequest(token, url, null, orig, dest, now);
        assertEquals(VerificationFailure.PASSPORT_COMPACT_FORM, shaken.verifyCompact(request).join().failure());
        PassportVerifier.Config c = PassportVerifier.Config.DEFAULT;
        PassportVerifier lenient = new PassportVerifier(new PassportVerifier.Config(c.freshnessSeconds(),
                c.allowedPorts(), false, true), source, chains, () -> now, EcdsaProvider.selected());
        VerificationResult ok = lenient.verifyCompact(request).join();
        assertTrue(ok.passed(), ok.toString());
        assertEquals(TestPki.SPC, ok.spc());
        assertEquals(VerificationFailure.SIGNATURE_INVALID, lenient.verifyCompact(new PassportVerifier.CompactRequest(
                token, url, null, CompactForm.Identity.tn("12155550199"), dest, now)).join().failure());
        assertEquals(VerificationFailure.DATE_STALE, lenient.verifyCompact(new PassportVerifier.CompactRequest(
                token, url, null, orig, dest, now - 300)).join().failure());
    }
}
