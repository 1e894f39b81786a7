package io.shakengate.proxy.http;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP signing API signs the PASSporT family too (an extension of ATIS-1000082): a request naming the
 * number first called ({@code div}) and Resource-Priority values gets the SHAKEN PASSporT for the first
 * called number, a div PASSporT for the new target, and an rph PASSporT for the authorised priority; each
 * verifies with the signer's key (Nimbus). Bad values of the new fields get 400 naming the field.
 */
class ApiFamilySigningTest {
    @Test
    @SuppressWarnings("unchecked")
    void divAndRphAreSignedOverTheApi() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()),
                "https://certs.example.net/sti/1234.pem");
        Family family = new Family(Emergency.DEFAULT, Blocking.NONE, Set.of("ets"), Branding.NONE, null, true,
                Family.Presentation.BOTH);
        ServiceConfig services = new ServiceConfig(new AuthenticationService(signer,
                AuthenticationPolicy.always(Attestation.A), null, family), null, Map.of());
        StirApi api = new StirApi(() -> services);
        long now = System.currentTimeMillis() / 1000;
        StirApi.Response r = api.signing(("{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"12155550121\"},"
                + "\"dest\":{\"tn\":[\"12155550199\"]},\"iat\":" + now + ",\"origid\":"
                + "\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\",\"div\":{\"tn\":\"12155550131\"},"
                + "\"resourcePriority\":[\"ets.0\",\"q735.1\"]}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.status(), r.json());
        Map<String, Object> resp = (Map<String, Object>) com.nimbusds.jose.util.JSONObjectUtils.parse(r.json())
                .get("signingResponse");
        List<String> ids = (List<String>) resp.get("identities");
        assertEquals(3, ids.size(), r.json());
        ECDSAVerifier key = new ECDSAVerifier((ECPublicKey) ee.cert().getPublicKey());
        JWSObject shaken = JWSObject.parse(ids.get(0).substring(0, ids.get(0).indexOf(';')));
        JWSObject div = JWSObject.parse(ids.get(1).substring(0, ids.get(1).indexOf(';')));
        JWSObject rph = JWSObject.parse(ids.get(2).substring(0, ids.get(2).indexOf(';')));
        assertTrue(shaken.verify(key) && div.verify(key) && rph.verify(key));
        assertTrue(ids.get(1).endsWith(";ppt=div") && ids.get(2).endsWith(";ppt=rph"), ids.toString());
        assertEquals(List.of("12155550131"), ((Map<String, Object>) shaken.getPayload().toJSONObject().get("dest"))
                .get("tn"), "the SHAKEN PASSporT names the number first called");
        Map<String, Object> d = div.getPayload().toJSONObject();
        assertEquals("12155550131", ((Map<String, Object>) d.get("div")).get("tn"));
        assertEquals(List.of("12155550199"), ((Map<String, Object>) d.get("dest")).get("tn"));
        assertEquals(List.of("ets.0"), ((Map<String, Object>) rph.getPayload().toJSONObject().get("rph")).get("auth"),
                "only the authorised namespace");

        StirApi.Response bad = api.signing(("{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"12155550121\"},"
                + "\"dest\":{\"tn\":[\"12155550199\"]},\"iat\":" + now + ",\"origid\":"
                + "\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\",\"resourcePriority\":[\"ets\"]}}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(400, bad.status(), bad.json());
        assertTrue(bad.json().contains("resourcePriority"), bad.json());
        StirApi.Response badDiv = api.signing(("{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"12155550121\"},"
                + "\"dest\":{\"tn\":[\"12155550199\"]},\"iat\":" + now + ",\"origid\":"
                + "\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\",\"div\":{\"tn\":[\"12155550131\"]}}}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(400, badDiv.status(), badDiv.json());
        assertTrue(badDiv.json().contains("div"), badDiv.json());
    }
}
