package io.shakengate.proxy.config;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The out-of-band settings: a configuration serving a CPS and using one parses, describes itself and starts
 * (the CPS answers on the API listener); each mistake is refused naming its line.
 */
class CpsConfigTest {
    @TempDir
    Path dir;

    private int metricsPort;

    private String config(String cps) throws Exception {
        metricsPort = io.shakengate.proxy.Sipp.freeTcpPort();
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        Path anchors = Files.createDirectories(dir.resolve("sti-ca"));
        Files.writeString(anchors.resolve("root.pem"), new TestPki(System.currentTimeMillis()).root.certPem());
        Path tokens = Files.writeString(dir.resolve("tokens"), "softswitch-token-0123456789\n");
        return String.join("\n",
                "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\", delivery: both }",
                "verification: { trustAnchors: " + anchors + " }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:0\", role: sign, redirect: true }",
                "api: { listen: \"127.0.0.1:0\", bearerTokens: " + tokens + " }",
                "metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }",
                cps, "");
    }

    @Test
    void aCpsServedAndUsed() throws Exception {
        String yaml = config(String.join("\n",
                "cps:",
                "  serve: { audience: cps.example.net, retentionSeconds: 10, maxPassportsPerCall: 4 }",
                "  targets: [ { url: \"https://cps.partner.net\" }, { url: \"http://127.0.0.1:8443\", audience: cps.example.net } ]",
                "  spc: \"1234\"",
                "  retrieve: always"));
        ApplianceConfig c = ApplianceConfig.parse(yaml, "test.yaml");
        String d = c.describe();
        assertTrue(d.contains("cps: serving as cps.example.net, retention 10 s, at most 4 PASSporTs per call"), d);
        assertTrue(d.contains("store memory"), d);
        assertTrue(d.contains("cps: using [https://cps.partner.net, http://127.0.0.1:8443] as SPC 1234"), d);
        assertTrue(d.contains("retrieve always"), d);
        assertTrue(d.contains("delivery both"), d);
        assertEquals("cps.partner.net", c.cps().targets().get(0).audience(), "aud defaults to the host");
        try (Appliance a = Appliance.start(c)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + a.apiAddress().getPort() + "/passports/1234/12155550131/12155550121")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"reason\":\"token_missing\""), r.body());
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + metricsPort + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("\nshakengate_cps_refusals_total{reason=\"token_missing\"} 1\n"), metrics);
            assertTrue(metrics.contains("\nshakengate_oob_retrieved_total 0\n"), metrics);
        }
    }

    private void refused(String cps, String... words) throws Exception {
        String yaml = config(cps);
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(yaml, "test.yaml"));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage());
        }
    }

    @Test
    void mistakesNameTheirLine() throws Exception {
        refused("cps:\n  serve: { audience: a, store: redis }", "line 8", "cps.serve.redis");
        refused("cps:\n  serve: { audience: a, store: disk }", "line 8", "memory or redis");
        refused("cps:\n  serve: { audience: a, retentionSeconds: 90 }", "line 8", "retentionSeconds");
        refused("cps:\n  targets: [ { url: \"http://cps.partner.net\" } ]\n  spc: \"1\"", "line 8", "https");
        refused("cps:\n  targets: [ { url: \"https://cps.partner.net\" } ]", "line 8", "cps.spc is required");
        refused("cps:\n  spc: \"1\"", "line 8", "serve");
        refused("cps:\n  serve: { audience: a }\n  retrieve: sometimes", "line 9", "off, when-no-identity, always");
    }

    private static java.security.KeyPair keys(String curve) throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    /** Targets sealed to a public key file or a certificate; the appliance opens with its openKey. */
    @Test
    void sealedTargetsAndTheKeyThatOpens() throws Exception {
        java.security.KeyPair partner = keys("secp256r1");
        Path pub = Files.writeString(dir.resolve("partner.pem"), io.shakengate.crypto.x509.Pem.armour("PUBLIC KEY",
                partner.getPublic().getEncoded()));
        Path cert = Files.writeString(dir.resolve("partner-cert.pem"),
                new TestPki(System.currentTimeMillis()).root.certPem());
        Path open = Files.writeString(dir.resolve("open.key"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        String yaml = config(String.join("\n",
                "cps:",
                "  targets:",
                "    - { url: \"https://cps.partner.net\", sealTo: " + pub + " }",
                "    - { url: \"https://cps.other.net\", sealTo: " + cert + " }",
                "    - { url: \"https://cps.clear.net\" }",
                "  spc: \"1234\"",
                "  openKey: " + open));
        ApplianceConfig c = ApplianceConfig.parse(yaml, "test.yaml");
        assertEquals(partner.getPublic(), c.cps().targets().get(0).sealTo());
        assertTrue(c.cps().targets().get(1).sealTo() != null, "a certificate's key");
        assertEquals(null, c.cps().targets().get(2).sealTo(), "clear text stays the default");
        String d = c.describe();
        assertTrue(d.contains("[https://cps.partner.net (sealed), https://cps.other.net (sealed), https://cps.clear.net]"),
                d);
        assertTrue(d.contains("opening sealed PASSporTs with " + open), d);
        try (Appliance a = Appliance.start(c)) {
            assertTrue(a.services().verification().outOfBand().opener() != null, "the open key is loaded");
        }
        // a missing file, a key on another curve, garbage: each names its line
        Path p384 = Files.writeString(dir.resolve("p384.pem"), io.shakengate.crypto.x509.Pem.armour("PUBLIC KEY",
                keys("secp384r1").getPublic().getEncoded()));
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a key");
        String head = "cps:\n  spc: \"1\"\n  targets:\n    - { url: \"https://c.net\", sealTo: ";
        refused(head + dir.resolve("none.pem") + " }", "line 10", "sealTo", "cannot read");
        refused(head + p384 + " }", "line 10", "sealTo", "P-256");
        refused(head + junk + " }", "line 10", "sealTo");
        // an unreadable openKey stops the start, naming the setting
        String badOpen = config("cps:\n  targets: [ { url: \"https://c.net\" } ]\n  spc: \"1\"\n  openKey: "
                + dir.resolve("missing.key"));
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> Appliance.start(ApplianceConfig.parse(badOpen, "test.yaml")).close());
        assertTrue(e.getMessage().contains("cps.openKey"), e.getMessage());
    }
}
