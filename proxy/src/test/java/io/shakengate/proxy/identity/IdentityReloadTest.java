package io.shakengate.proxy.identity;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ProxyMainAccess;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken certificates on disk at a SIGHUP: an expired chain, a chain not yet valid, a key that is not the
 * chain's; each reload is refused with a message naming the identity, counted, and the identity in force (and
 * the chain the repository serves) stays; a good chain then swaps in.
 */
class IdentityReloadTest {
    @TempDir
    Path dir;

    @Test
    void brokenChainsAtAReloadNameTheIdentityAndReplaceNothing() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued good = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued tls = pki.tlsServer();
        Path key = Files.writeString(dir.resolve("carrier.key"), good.privateKeyPem());
        Path chain = Files.writeString(dir.resolve("carrier.pem"), good.certPem() + pki.intermediate.certPem());
        Files.writeString(dir.resolve("repo.pem"), tls.certPem());
        Files.writeString(dir.resolve("repo.key"), tls.privateKeyPem());
        int repo = Sipp.freeUdpPort();
        Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                "signing:",
                "  identities:",
                "    - { name: carrier, key: " + key + ", chain: " + chain + ", x5u: \"https://127.0.0.1:" + repo
                        + "/sti/carrier.pem\" }",
                "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + dir.resolve("repo.pem")
                        + ", key: " + dir.resolve("repo.key") + " }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + Sipp.freeUdpPort() + "\", role: sign, nextHop: \"127.0.0.1:"
                        + Sipp.freeUdpPort() + "\" }",
                ""));
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
            TestPki.Issued expired = pki.endEntity(TestPki.Flaw.EXPIRED);
            TestPki.Issued early = pki.endEntity(TestPki.Flaw.NOT_YET_VALID);
            TestPki.Issued other = pki.endEntity(TestPki.Flaw.NONE);
            String[][] cases = {
                {expired.privateKeyPem(), expired.certPem(), "expired on"},
                {early.privateKeyPem(), early.certPem(), "not valid before"},
                {good.privateKeyPem(), other.certPem(), "for another key"},
            };
            int refused = 0;
            for (String[] c : cases) {
                Files.writeString(key, c[0]);
                Files.writeString(chain, c[1] + pki.intermediate.certPem());
                ByteArrayOutputStream said = new ByteArrayOutputStream();
                assertFalse(ProxyMainAccess.reload(file, appliance, new PrintStream(said, true, StandardCharsets.UTF_8)));
                String line = said.toString(StandardCharsets.UTF_8);
                assertTrue(line.contains("reload refused") && line.contains("signing identity 'carrier'")
                        && line.contains(c[2]), line);
                assertEquals(++refused, appliance.server().counters().get(ProxyCounters.Event.RELOAD_REFUSED));
                assertEquals(good.cert(), servedEndEntity(appliance, pki), "the identity in force stays");
            }
            Files.writeString(key, other.privateKeyPem());
            Files.writeString(chain, other.certPem() + pki.intermediate.certPem());
            assertTrue(ProxyMainAccess.reload(file, appliance));
            assertEquals(other.cert(), servedEndEntity(appliance, pki), "a good chain swaps in");
            assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.RELOADED));
        }
    }

    /** The end entity the certificate repository serves at the identity's x5u, fetched over HTTPS. */
    private static java.security.cert.X509Certificate servedEndEntity(Appliance a, TestPki pki) throws Exception {
        byte[] pem = java.net.http.HttpClient.newBuilder().sslContext(pki.clientTls()).build().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("https://127.0.0.1:" + a.identities().repositoryAddress().getPort()
                        + "/sti/carrier.pem")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificates(new java.io.ByteArrayInputStream(pem)).iterator().next();
    }
}
