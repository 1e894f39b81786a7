package io.shakengate.proxy.http;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API and the family: a branded calling number's signing answer carries its rcd PASSporT in
 * {@code identities}; a verification request with both values verifies them; a rule that blocks is 403.
 */
class FamilyApiTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";

    @Test
    void aBrandedNumberGetsItsRcdPassportOverHttp() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()),
                X5U);
        Family family = new Family(Emergency.DEFAULT, Blocking.NONE, Set.of(), new Branding(List.of(
                new Branding.Brand("12155550121", "Example Clinic", null, null))), null, true,
                Family.Presentation.BOTH);
        ServiceConfig s = new ServiceConfig(new AuthenticationService(signer, new AuthenticationPolicy(List.of(
                new AuthenticationPolicy.Rule("dno", null, List.of("1800"), List.of(),
                        AuthenticationPolicy.Action.BLOCK_DNO)), AuthenticationPolicy.Action.ATTEST_A), null, family),
                new VerificationService(TestServices.preloadedVerifier(pki, ee, X5U), 1500,
                        VerificationPolicy.defaults(), Map.of(), null, 8).withFamily(family), Map.of());
        StirApi api = new StirApi(() -> s);
        long now = System.currentTimeMillis() / 1000;
        StirApi.Response signed = api.signing(("{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"12155550121\"},"
                + "\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":" + now + ",\"origid\":"
                + "\"0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, signed.status(), signed.json());
        Map<String, Object> response = io.shakengate.crypto.passport.Json.parseObject(signed.json().getBytes(
                StandardCharsets.UTF_8), 0, signed.json().length());
        @SuppressWarnings("unchecked")
        List<String> identities = (List<String>) ((Map<String, Object>) response.get("signingResponse"))
                .get("identities");
        assertEquals(2, identities.size(), signed.json());
        assertTrue(identities.get(1).endsWith(";ppt=rcd"), identities.get(1));
        JWSObject rcd = JWSObject.parse(identities.get(1).substring(0, identities.get(1).indexOf(';')));
        assertTrue(rcd.verify(new ECDSAVerifier((ECPublicKey) ee.keys().getPublic())));
        assertEquals("Example Clinic", RichCallData.of(rcd.getPayload().toJSONObject()).nam());

        StringBuilder ids = new StringBuilder();
        for (String id : identities) {
            io.shakengate.crypto.passport.Json.quote(ids.append(ids.length() == 0 ? "" : ","), id);
        }
        StirApi.Response verified = api.verification(("{\"verificationRequest\":{\"from\":{\"tn\":\"12155550121\"},"
                + "\"to\":{\"tn\":[\"12155550131\"]},\"time\":" + now + ",\"identity\":[" + ids + "]}}")
                .getBytes(StandardCharsets.UTF_8)).join();
        assertEquals(200, verified.status(), verified.json());
        assertTrue(verified.json().contains("TN-Validation-Passed"), verified.json());

        StirApi.Response blocked = api.signing(("{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"18005550100\"},"
                + "\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":" + now + ",\"origid\":"
                + "\"0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(403, blocked.status(), blocked.json());
        assertTrue(blocked.json().contains("POL4003"), blocked.json());
    }
}
