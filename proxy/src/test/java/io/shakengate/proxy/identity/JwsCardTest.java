package io.shakengate.proxy.identity;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RFC 8688 jCard JWS that a 608's {@code Call-Info: <...>;purpose=jwscard} points to, served by the
 * certificate repository: verified with Nimbus against the signing identity's certificate (the one its x5u
 * names), header typ vcard+json and ES256, a fresh iat, the redress contacts as a jCard; the same bytes within
 * the re-signing time; a configuration that asks for it without a repository refused with its line.
 */
class JwsCardTest {
    @TempDir
    Path dir;

    @Test
    void theRepositoryServesASignedFreshJcard() throws Exception {
        DemoPki pki = new DemoPki("1234");
        DemoPki.Written files = pki.write(dir);
        Path key = files.signerKey();
        Path chain = files.chain();
        Path cert = files.tlsCertificate();
        Path tlsKey = files.tlsKey();
        int repo = Sipp.freeTcpPort();
        String x5u = "https://127.0.0.1:" + repo + "/sti/1234.pem";
        String card = "https://127.0.0.1:" + repo + "/redress/jwscard";
        String yaml = String.join("\n",
                "signing:",
                "  key: " + key,
                "  chain: " + chain,
                "  x5u: \"" + x5u + "\"",
                "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + cert + ", key: " + tlsKey + " }",
                "blocking: { location: RLN, url: \"https://redress.example.net/blocked\", tel: \"+18005550100\","
                        + " jwscard: \"" + card + "\", serveJwscard: true, name: \"Example Carrier\" }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + Sipp.freeUdpPort() + "\", role: sign, nextHop: \"127.0.0.1:9\" }",
                "");
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "t.yaml"))) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", pki.root());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpClient http = HttpClient.newBuilder().sslContext(ctx).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(card)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("application/jose", r.headers().firstValue("content-type").orElse(""));
            assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(""));
            long now = System.currentTimeMillis() / 1000;

            JWSObject jws = JWSObject.parse(r.body());
            // the key the x5u chain holds, fetched as a verifier would
            String pem = http.send(HttpRequest.newBuilder(URI.create(x5u)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Path fetched = Files.writeString(dir.resolve("fetched.pem"), pem);
            ECPublicKey signer = (ECPublicKey) Pem.readCertificates(fetched).get(0).getPublicKey();
            assertTrue(jws.verify(new ECDSAVerifier(signer)), "the signature verifies with the x5u certificate");
            assertEquals("ES256", jws.getHeader().getAlgorithm().getName());
            assertEquals("vcard+json", jws.getHeader().getType().getType());
            assertEquals(x5u, jws.getHeader().toJSONObject().get("x5u"));
            Map<String, Object> claims = jws.getPayload().toJSONObject();
            long iat = ((Number) claims.get("iat")).longValue();
            assertTrue(Math.abs(now - iat) <= 5, "fresh: iat " + iat + " at " + now);
            List<?> jcard = (List<?>) claims.get("jcard");
            assertEquals("vcard", jcard.get(0));
            String props = jcard.get(1).toString();
            assertTrue(props.contains("Example Carrier") && props.contains("tel:+18005550100")
                    && props.contains("https://redress.example.net/blocked") && props.contains("4.0"), props);
            assertEquals(r.body(), http.send(HttpRequest.newBuilder(URI.create(card)).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), "the same JWS until it is re-signed");
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + repo + "/nothing"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertTrue(appliance.identities() != null);
        }
    }

    @Test
    void servingItNeedsARepositoryAndAContact() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), new DemoPki("1234").signerKeyPem());
        ConfigException noRepo = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(String.join("\n",
                "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "blocking: { tel: \"+18005550100\", jwscard: \"https://certs.example.net/jwscard\", serveJwscard: true }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:5070\", role: sign, nextHop: \"127.0.0.1:9\" }", ""), "t.yaml"));
        assertTrue(noRepo.getMessage().contains("t.yaml: line 2") && noRepo.getMessage().contains("signing.repository"),
                noRepo.getMessage());
        ConfigException noContact = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(String.join("\n",
                "blocking: { jwscard: \"https://certs.example.net/jwscard\", serveJwscard: true }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:5070\", nextHop: \"127.0.0.1:9\" }", ""), "t.yaml"));
        assertTrue(noContact.getMessage().contains("needs blocking.jwscard") && noContact.getMessage().contains("line 1"),
                noContact.getMessage());
    }
}
