package io.shakengate.crypto;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.crypto.passport.Passport;
import io.shakengate.crypto.passport.PassportParser;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.NodeJose;
import io.shakengate.crypto.testing.Secsipidx;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PASSporT family beside SHAKEN: div (RFC 8946), rcd (RFC 9795) and rph (RFC 8443). Tokens that
 * secsipidx signs from any header and payload ({@code -sign -header -payload}) verify with ours; ours verify
 * with Nimbus and with node jose. (secsipidx's own check refuses every {@code ppt} but shaken, exit 209/53,
 * so it checks only our SHAKEN PASSporT carrying rcd claims.)
 */
class FamilyPassportsTest {
    private static final String URL = "https://cert.test.example/sti/good.pem";
    private static final String ORIG = "12155550121";
    private static final String DEST = "12155550199";
    private static final String ORIGINAL = "12155550131";
    private static final String LOGO = "https://brand.test.example/logo.png";
    private static final byte[] LOGO_BYTES = "logo bytes, as served".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued ee;
    static Path key;
    static Path pub;

    @BeforeAll
    static void setUp() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        key = Files.writeString(dir.resolve("ee.key.pem"), ee.privateKeyPem());
        pub = Files.writeString(dir.resolve("ee.pub.pem"), ee.publicKeyPem());
    }

    private static PassportVerifier verifier(long now) {
        return new PassportVerifier(PassportVerifier.Config.DEFAULT,
                url -> CompletableFuture.completedFuture(CertificateSource.Chain.of(pki.chain(ee))),
                new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null), () -> now,
                EcdsaProvider.selected());
    }

    private static String secsipidxSign(String ppt, String payload) throws Exception {
        String[] out = Secsipidx.run("-sign", "-header", "{\"alg\":\"ES256\",\"ppt\":\"" + ppt
                + "\",\"typ\":\"passport\",\"x5u\":\"" + URL + "\"}", "-payload", payload, "-k", key.toString());
        assertEquals("0", out[0], out[1]);
        return out[1].lines().filter(l -> l.chars().filter(c -> c == '.').count() == 2).findFirst().orElseThrow()
                .trim();
    }

    private static PassportVerifier.Request request(String token, String ppt, List<String> dest) {
        return new PassportVerifier.Request(token, URL, "ES256", ppt, ORIG, dest, -1);
    }

    @Test
    void secsipidxFamilyTokensVerifyWithOurs() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        PassportVerifier v = verifier(now);
        String div = secsipidxSign("div", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"div\":{\"tn\":\"" + ORIGINAL
                + "\"},\"iat\":" + now + ",\"orig\":{\"tn\":\"" + ORIG + "\"}}");
        VerificationResult d = v.verifyDiv(request(div, "div", List.of(DEST))).join();
        assertTrue(d.passed(), d.toString());
        assertEquals(ORIGINAL, d.divTn());

        String sri = RichCallData.integrity("sha256", LOGO_BYTES);
        String rcd = secsipidxSign("rcd", "{\"crn\":\"Your appointment\",\"dest\":{\"tn\":[\"" + DEST
                + "\"]},\"iat\":" + now + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rcd\":{\"icn\":\"" + LOGO
                + "\",\"nam\":\"Example Clinic\"},\"rcdi\":{\"/icn\":\"" + sri + "\"}}");
        VerificationResult r = v.verifyRcd(request(rcd, "rcd", List.of(DEST))).join();
        assertTrue(r.passed(), r.toString());
        RichCallData data = RichCallData.of(r.claims());
        assertNotNull(data);
        assertEquals("Example Clinic", data.nam());
        assertEquals("Your appointment", data.crn());
        assertEquals(LOGO, data.icn());
        assertTrue(data.digestMatches("icn", LOGO_BYTES), "the logo as signed");
        assertFalse(data.digestMatches("icn", "a different logo".getBytes(StandardCharsets.UTF_8)),
                "a logo swapped after signing");

        String rph = secsipidxSign("rph", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rph\":{\"auth\":[\"ets.0\"]}}");
        VerificationResult p = v.verifyRph(request(rph, "rph", List.of(DEST))).join();
        assertTrue(p.passed(), p.toString());
        assertEquals(List.of("ets.0"), new PassportParser(4096).parse(rph).passport().rphAuth());
    }

    /**
     * div-o (RFC 8946 section 6): secsipidx signs a SHAKEN PASSporT for the number first called and a div-o
     * carrying it in {@code opt}; ours verifies the div-o against the new number and the nested one as the
     * call's PASSporT for the original number. A div-o without a PASSporT in {@code opt}, or one whose nested
     * PASSporT was altered, does not pass.
     */
    @Test
    void secsipidxDivOCarriesTheOriginalPassport() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        PassportVerifier v = verifier(now);
        String shaken = secsipidxSign("shaken", "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" + ORIGINAL
                + "\"]},\"iat\":" + now + ",\"orig\":{\"tn\":\"" + ORIG
                + "\"},\"origid\":\"4437f26d-8b43-4b4e-9e7d-3f3a1b7a5c01\"}");
        String divO = secsipidxSign("div-o", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"div\":{\"tn\":\""
                + ORIGINAL + "\"},\"iat\":" + now + ",\"opt\":\"" + shaken + "\",\"orig\":{\"tn\":\"" + ORIG
                + "\"}}");
        VerificationResult d = v.verifyDivO(request(divO, "div-o", List.of(DEST))).join();
        assertTrue(d.passed(), d.toString());
        assertEquals(ORIGINAL, d.divTn());
        assertEquals(shaken, d.claims().get("opt"));
        VerificationResult nested = v.verify(request((String) d.claims().get("opt"), "shaken", List.of(d.divTn())))
                .join();
        assertTrue(nested.passed(), nested.toString());
        assertEquals("A", nested.attest());
        assertEquals(VerificationFailure.PPT_CLAIM_INVALID, v.verifyDiv(request(divO, "div", List.of(DEST))).join()
                .failure(), "a div-o is not a div");

        String noOpt = secsipidxSign("div-o", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"div\":{\"tn\":\""
                + ORIGINAL + "\"},\"iat\":" + now + ",\"opt\":\"not a passport\",\"orig\":{\"tn\":\"" + ORIG
                + "\"}}");
        assertEquals(VerificationFailure.CLAIMS_MALFORMED, v.verifyDivO(request(noOpt, "div-o", List.of(DEST)))
                .join().failure());
        String[] parts = shaken.split("\\.");
        String altered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2)
                + (parts[1].endsWith("In0") ? "Iy0" : "In0") + "." + parts[2];
        VerificationResult bad = v.verify(request(altered, "shaken", List.of(ORIGINAL))).join();
        assertFalse(bad.passed(), "a nested PASSporT altered after signing: " + bad);
    }

    @Test
    void ourFamilyTokensVerifyWithNimbusAndNodeJose() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), URL);
        Map<String, Object> rcd = new LinkedHashMap<>();
        rcd.put("orig", Map.of("tn", ORIG));
        rcd.put("dest", Map.of("tn", List.of(DEST)));
        rcd.put("iat", now);
        rcd.put("rcd", Map.of("nam", "Example Clinic", "icn", LOGO));
        rcd.put("rcdi", Map.of("/icn", RichCallData.integrity("sha256", LOGO_BYTES)));
        Map<String, Object> rph = Map.of("orig", Map.of("tn", ORIG), "dest", Map.of("tn", List.of(DEST)), "iat", now,
                "rph", Map.of("auth", List.of("ets.0")));
        Map<String, Object> div = Map.of("orig", Map.of("tn", ORIG), "dest", Map.of("tn", List.of(DEST)), "iat", now,
                "div", Map.of("tn", ORIGINAL));
        PassportVerifier v = verifier(now);
        for (var e : Map.of("rcd", rcd, "rph", rph, "div", div).entrySet()) {
            String identity = signer.identity(e.getKey(), e.getValue());
            assertTrue(identity.endsWith(";info=<" + URL + ">;alg=ES256;ppt=" + e.getKey()), identity);
            String token = identity.substring(0, identity.indexOf(';'));
            JWSObject jws = JWSObject.parse(token);
            assertTrue(jws.verify(new ECDSAVerifier((ECPublicKey) ee.keys().getPublic())), e.getKey());
            assertEquals(e.getKey(), jws.getHeader().getCustomParam("ppt"));
            String checked = NodeJose.run(NodeJose.dir(), """
                    import { compactVerify, importSPKI } from 'jose';
                    const key = await importSPKI(process.env.PUB, 'ES256');
                    const { payload, protectedHeader } = await compactVerify(process.env.JWS, key);
                    console.log(protectedHeader.ppt + ' ' + JSON.parse(new TextDecoder().decode(payload)).orig.tn);
                    """, "PUB", ee.publicKeyPem(), "JWS", token);
            assertEquals(e.getKey() + " " + ORIG, checked);
            VerificationResult r = switch (e.getKey()) {
                case "rcd" -> v.verifyRcd(request(token, "rcd", List.of(DEST))).join();
                case "rph" -> v.verifyRph(request(token, "rph", List.of(DEST))).join();
                default -> v.verifyDiv(request(token, "div", List.of(DEST))).join();
            };
            assertTrue(r.passed(), e.getKey() + ": " + r);
        }
        // rcd claims inside a SHAKEN PASSporT: secsipidx's check accepts it (ppt=shaken)
        Map<String, Object> shaken = new LinkedHashMap<>(rcd);
        shaken.put("attest", "A");
        shaken.put("origid", "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f");
        String identity = signer.identity("shaken", shaken);
        String[] ok = Secsipidx.run("-check", "-identity", identity, "-p", pub.toString(), "-expire", "300");
        assertEquals("0", ok[0], ok[1]);
        VerificationResult r = v.verify(request(identity.substring(0, identity.indexOf(';')), "shaken",
                List.of(DEST))).join();
        assertTrue(r.passed(), r.toString());
        assertEquals("Example Clinic", RichCallData.of(r.claims()).nam());
    }

    @Test
    void familyFailuresHaveTheirOwnReasons() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        PassportVerifier v = verifier(now);
        String stale = secsipidxSign("div", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"div\":{\"tn\":\"" + ORIGINAL
                + "\"},\"iat\":" + (now - 600) + ",\"orig\":{\"tn\":\"" + ORIG + "\"}}");
        assertEquals(VerificationFailure.IAT_STALE, v.verifyDiv(request(stale, "div", List.of(DEST))).join().failure());
        String both = secsipidxSign("rcd", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rcd\":{\"jcd\":[\"vcard\",[]],\"jcl\":\"https://x.example/j\","
                + "\"nam\":\"X\"}}");
        assertEquals(VerificationFailure.CLAIMS_MALFORMED,
                v.verifyRcd(request(both, "rcd", List.of(DEST))).join().failure(), "jcd and jcl together");
        String noName = secsipidxSign("rcd", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rcd\":{\"icn\":\"" + LOGO + "\"}}");
        assertEquals(VerificationFailure.CLAIMS_MALFORMED,
                v.verifyRcd(request(noName, "rcd", List.of(DEST))).join().failure(), "rcd without nam");
        String noAuth = secsipidxSign("rph", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rph\":{\"auth\":[]}}");
        assertEquals(VerificationFailure.CLAIMS_MALFORMED,
                v.verifyRph(request(noAuth, "rph", List.of(DEST))).join().failure(), "rph without auth");
        String rcdAsRph = secsipidxSign("rcd", "{\"dest\":{\"tn\":[\"" + DEST + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"rcd\":{\"nam\":\"X\"}}");
        assertEquals(VerificationFailure.PPT_CLAIM_INVALID,
                v.verifyRph(request(rcdAsRph, "rph", List.of(DEST))).join().failure(), "an rcd token named rph");
        Passport parsed = new PassportParser(4096).parse(rcdAsRph).passport();
        assertNull(parsed.rphAuth());
    }
}
