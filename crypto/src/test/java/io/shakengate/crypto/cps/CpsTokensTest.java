package io.shakengate.crypto.cps;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.Es256Signer;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.testing.Vectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * CPS tokens against the digest's example (vectors/synthetic/cps): the passports digest, the token's header
 * and claims as written, the example token verifying under the synthetic PKI, and one refusal per broken rule.
 */
class CpsTokensTest {
    static final String PUBLISH = "synthetic/cps/";
    static final long CLOCK = Vectors.syntheticClock();

    static String text(String name) {
        return new String(Vectors.bytes(PUBLISH + name), StandardCharsets.UTF_8).trim();
    }

    @SuppressWarnings("unchecked")
    static List<String> bodyPassports() throws Exception {
        return (List<String>) (List<?>) JSONObjectUtils.parse(text("publish-body.json")).get("passports");
    }

    static CpsTokens.Verifier verifier(long clock) {
        return new CpsTokens.Verifier("cps.example.net", 60, 60, PassportVerifier.Config.DEFAULT,
                Vectors.syntheticCertificates(), Vectors.syntheticChains(CLOCK), () -> clock, EcdsaProvider.selected());
    }

    static Es256Signer eeGood() throws Exception {
        Path key = Files.createTempFile("ee-good", ".pem");
        try {
            Files.write(key, Vectors.bytes("ee-good.key.pem"));
            return new Es256Signer(EcdsaProvider.selected(), SigningKeys.readPrivateKey(key));
        } finally {
            Files.delete(key);
        }
    }

    static CpsTokens.Claims exampleClaims() throws Exception {
        return new CpsTokens.Claims(CpsTokens.Action.PUBLISH, "cps.example.net", "1234", "1234", "12155550121",
                List.of("12155550131"), 1767225600L, 1767225615L, "5f1b7e0a-3c2d-4e5f-9a8b-7c6d5e4f3a2b",
                CpsTokens.digest(bodyPassports()));
    }

    static CpsTokens.Refusal check(CpsTokens.Verifier v, String token, CpsTokens.Action a, String spc, String digest) {
        CpsTokens.Checked c = v.check(token, a, spc, "12155550131", "12155550121", digest).join();
        return c.refusal();
    }

    @Test
    void theExampleDigestAndToken() throws Exception {
        assertEquals(text("passports-digest.txt"), CpsTokens.digest(bodyPassports()));
        String ours = CpsTokens.create(eeGood(), "https://cert.example.com/sti/1234-good.pem", exampleClaims());
        String[] want = text("publish-token.jwt").split("\\.");
        String[] got = ours.split("\\.");
        assertEquals(want[0], got[0], "header");
        assertEquals(want[1], got[1], "claims in JCS order");
        // both verify
        String digest = CpsTokens.digest(bodyPassports());
        assertNull(check(verifier(CLOCK), text("publish-token.jwt"), CpsTokens.Action.PUBLISH, "1234", digest));
        CpsTokens.Checked c = verifier(CLOCK).check(ours, CpsTokens.Action.PUBLISH, "1234", "12155550131",
                "12155550121", digest).join();
        assertNull(c.refusal());
        assertEquals("5f1b7e0a-3c2d-4e5f-9a8b-7c6d5e4f3a2b", c.claims().jti());
        assertEquals(1767225615L, c.claims().exp());
    }

    @Test
    void eachBrokenRuleHasItsRefusal() throws Exception {
        String token = text("publish-token.jwt");
        String digest = CpsTokens.digest(bodyPassports());
        CpsTokens.Verifier v = verifier(CLOCK);
        assertEquals(CpsTokens.Refusal.TOKEN_MISSING, check(v, null, CpsTokens.Action.PUBLISH, "1234", digest));
        assertEquals(CpsTokens.Refusal.TOKEN_MALFORMED, check(v, "a.b", CpsTokens.Action.PUBLISH, "1234", digest));
        assertEquals(CpsTokens.Refusal.TOKEN_MALFORMED, check(v, "e30.@@.AA", CpsTokens.Action.PUBLISH, "1234", digest));
        assertEquals(CpsTokens.Refusal.ACTION_MISMATCH, check(v, token, CpsTokens.Action.RETRIEVE, "1234", digest));
        assertEquals(CpsTokens.Refusal.PATH_MISMATCH, check(v, token, CpsTokens.Action.PUBLISH, "5678", digest));
        assertEquals(CpsTokens.Refusal.DIGEST_MISMATCH, check(v, token, CpsTokens.Action.PUBLISH, "1234",
                CpsTokens.digest(List.of("x.y.z"))));
        assertEquals(CpsTokens.Refusal.TOKEN_STALE, check(verifier(CLOCK + 120), token, CpsTokens.Action.PUBLISH,
                "1234", digest));
        assertEquals(CpsTokens.Refusal.TOKEN_EXPIRED, check(verifier(1767225616L), token, CpsTokens.Action.PUBLISH,
                "1234", digest));
        CpsTokens.Verifier otherCps = new CpsTokens.Verifier("cps.other.net", 60, 60, PassportVerifier.Config.DEFAULT,
                Vectors.syntheticCertificates(), Vectors.syntheticChains(CLOCK), () -> CLOCK, EcdsaProvider.selected());
        assertEquals(CpsTokens.Refusal.AUDIENCE_MISMATCH, check(otherCps, token, CpsTokens.Action.PUBLISH, "1234",
                digest));
        String[] p = token.split("\\.");
        String tampered = p[0] + "." + p[1] + "." + (p[2].charAt(0) == 'A' ? 'B' : 'A') + p[2].substring(1);
        assertEquals(CpsTokens.Refusal.SIGNATURE_INVALID, check(v, tampered, CpsTokens.Action.PUBLISH, "1234", digest));

        Es256Signer key = eeGood();
        CpsTokens.Claims base = exampleClaims();
        // a token naming SPC 5678 signed with the certificate of SPC 1234: wrongly published
        String foreign = CpsTokens.create(key, "https://cert.example.com/sti/1234-good.pem", new CpsTokens.Claims(
                base.action(), base.aud(), "5678", "5678", base.origTn(), base.destTns(), base.iat(), base.exp(),
                base.jti(), base.passportsDigest()));
        assertEquals(CpsTokens.Refusal.ISSUER_MISMATCH, check(v, foreign, CpsTokens.Action.PUBLISH, "5678", digest));
        String longLived = CpsTokens.create(key, "https://cert.example.com/sti/1234-good.pem", new CpsTokens.Claims(
                base.action(), base.aud(), "1234", "1234", base.origTn(), base.destTns(), base.iat(), base.iat() + 61,
                base.jti(), base.passportsDigest()));
        assertEquals(CpsTokens.Refusal.RETENTION_TOO_LONG, check(v, longLived, CpsTokens.Action.PUBLISH, "1234", digest));
        String unknownCert = CpsTokens.create(key, "https://cert.example.com/sti/nothing.pem", base);
        assertEquals(CpsTokens.Refusal.CERT_FETCH_FAILED, check(v, unknownCert, CpsTokens.Action.PUBLISH, "1234", digest));
        String httpX5u = CpsTokens.create(key, "http://cert.example.com/sti/1234-good.pem", base);
        assertEquals(CpsTokens.Refusal.X5U_REFUSED, check(v, httpX5u, CpsTokens.Action.PUBLISH, "1234", digest));
        // the retrieve example's claims, signed by 1234 for its own SPC: passes
        String retrieve = CpsTokens.create(key, "https://cert.example.com/sti/1234-good.pem", new CpsTokens.Claims(
                CpsTokens.Action.RETRIEVE, "cps.example.net", "1234", "1234", "12155550121", List.of("12155550131"),
                CLOCK, 0, "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a", null));
        assertNull(check(v, retrieve, CpsTokens.Action.RETRIEVE, "1234", null));
        Map<String, Object> claims = JSONObjectUtils.parse(new String(java.util.Base64.getUrlDecoder()
                .decode(retrieve.split("\\.")[1]), StandardCharsets.UTF_8));
        assertNull(claims.get("exp"), "retrieve tokens carry no exp");
    }
}
