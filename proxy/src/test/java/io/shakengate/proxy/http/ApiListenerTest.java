package io.shakengate.proxy.http;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ProxyMainAccess;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API listener as configured: HTTPS with mutual TLS and bearer tokens from a file. A client with a
 * certificate from the configured CA and a listed token signs; without a certificate the handshake fails;
 * with a certificate but a wrong token it gets 401; a reload re-reads the token file. A configuration that
 * leaves clients unauthenticated is refused, naming its line.
 */
class ApiListenerTest {
    @TempDir
    Path dir;

    static final String SIGNING = "{\"signingRequest\":{\"attest\":\"B\",\"dest\":{\"tn\":[\"12155550131\"]},"
            + "\"iat\":1767225600,\"orig\":{\"tn\":\"12155550121\"},\"origid\":\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\"}}";

    private static SSLContext tls(TestPki pki, TestPki.Issued client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", pki.root.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", client.keys().getPrivate(), new char[0], new Certificate[] {client.cert()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }

    private static HttpResponse<String> sign(SSLContext tls, String url, String token) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SIGNING)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void mutualTlsAndBearerTokensAsConfigured() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued server = pki.tlsServer();
        TestPki.Issued client = pki.tlsServer();
        Path key = Files.writeString(dir.resolve("signing.pem"),
                CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        Files.writeString(dir.resolve("api-cert.pem"), server.certPem());
        Files.writeString(dir.resolve("api-key.pem"), server.privateKeyPem());
        Files.writeString(dir.resolve("clients-ca.pem"), pki.root.certPem());
        Path tokens = Files.writeString(dir.resolve("tokens"), "# softswitch A\nfirst-token-0123456789\n\n");
        Path file = dir.resolve("shakengate.yaml");
        String yaml = String.join("\n",
                "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "listeningPoints:",
                "  - { name: redirect, listen: \"127.0.0.1:0\", role: sign, redirect: true }",
                "api:",
                "  listen: \"127.0.0.1:0\"",
                "  tls: { certificate: " + dir.resolve("api-cert.pem") + ", key: " + dir.resolve("api-key.pem")
                        + ", clientCa: " + dir.resolve("clients-ca.pem") + " }",
                "  bearerTokens: " + tokens,
                "");
        Files.writeString(file, yaml);
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, file.toString()))) {
            String url = "https://127.0.0.1:" + appliance.apiAddress().getPort() + "/stir/v1/signing";
            HttpResponse<String> ok = sign(tls(pki, client), url, "first-token-0123456789");
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.body().contains(";info=<https://certs.example.net/sti/1234.pem>;alg=ES256;ppt=shaken"),
                    ok.body());
            assertEquals(401, sign(tls(pki, client), url, "second-token-0123456789").statusCode());
            assertThrows(IOException.class, () -> sign(tls(pki, null), url, "first-token-0123456789"),
                    "no client certificate: no TLS session");

            Files.writeString(tokens, "second-token-0123456789\n");
            assertTrue(ProxyMainAccess.reload(file, appliance));
            assertEquals(200, sign(tls(pki, client), url, "second-token-0123456789").statusCode());
            assertEquals(401, sign(tls(pki, client), url, "first-token-0123456789").statusCode());

            Files.writeString(tokens, "short\n");
            assertTrue(!ProxyMainAccess.reload(file, appliance), "a token file with a bad token is refused");
            assertEquals(200, sign(tls(pki, client), url, "second-token-0123456789").statusCode(),
                    "the running tokens stay");
        }
    }

    @Test
    void unauthenticatedClientsAreRefusedInTheConfiguration() {
        String yaml = String.join("\n",
                "signing: { key: /nonexistent, x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "listeningPoints:",
                "  - { name: redirect, listen: \"127.0.0.1:0\", role: sign, redirect: true }",
                "api:",
                "  listen: \"127.0.0.1:8443\"",
                "");
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(yaml, "test.yaml"));
        assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("api.bearerTokens"), e.getMessage());
    }
}
