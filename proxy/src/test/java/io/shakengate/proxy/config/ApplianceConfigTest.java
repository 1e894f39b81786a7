package io.shakengate.proxy.config;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ProxyMain;
import io.shakengate.proxy.Role;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApplianceConfigTest {
    @TempDir
    Path dir;
    private Path key;
    private Path anchors;
    private TestPki pki;

    @BeforeEach
    void files() throws Exception {
        key = Files.writeString(dir.resolve("signing-key.pem"),
                CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        anchors = Files.createDirectory(dir.resolve("sti-ca"));
        pki = new TestPki(System.currentTimeMillis());
        Files.writeString(anchors.resolve("root.pem"), pki.root.certPem());
    }

    private String config(int nextHopPort) {
        return String.join("\n",
                "eventLoops: 1",
                "signing:",
                "  key: " + key,
                "  x5u: https://certs.example.net/sti/1234.pem",
                "  attestation: C",
                "  rules:",
                "    - { name: customers, source: 127.0.0.0/8, callingPrefixes: [\"1215\"], action: attest-a }",
                "    - { name: premium, calledPrefixes: [\"1900\"], action: block }",
                "verification:",
                "  trustAnchors: " + anchors,
                "  budgetMillis: 1000",
                "  policy: { signature-failure: forward-with-reason, no-identity: reject }",
                "listeningPoints:",
                "  - { name: out, transport: udp, listen: \"127.0.0.1:0\", role: sign, nextHop: \"127.0.0.1:"
                        + nextHopPort + "\" }",
                "  - { name: in, transport: tcp, listen: \"127.0.0.1:0\", role: verify, nextHop: \"127.0.0.1:9\" }",
                "");
    }

    @Test
    void aValidConfigurationRunsTheAppliance() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            ApplianceConfig c = ApplianceConfig.parse(config(next.getLocalPort()), "shakengate.yaml");
            assertEquals(2, c.points().size());
            assertEquals(Role.VERIFY, c.points().get(1).role());
            assertTrue(c.describe().contains("rule customers: source 127.0.0.0/8, calling [1215], called any -> ATTEST_A"),
                    c.describe());
            try (Appliance appliance = Appliance.start(c)) {
                String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-cfg\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=cfg\r\n"
                        + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: cfg\r\nCSeq: 1 INVITE\r\n"
                        + "Content-Length: 0\r\n\r\n";
                byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
                caller.send(new DatagramPacket(b, b.length, appliance.bound().get(0)));
                next.setSoTimeout(3000);
                byte[] buf = new byte[65535];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                next.receive(p);
                String forwarded = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
                assertTrue(forwarded.contains("\r\nIdentity: ") && forwarded.contains(
                        "info=<https://certs.example.net/sti/1234.pem>"), forwarded);
            }
        }
    }

    @Test
    void everyErrorNamesItsLine() {
        assertError(config(5060).replace("  attestation: C", "  attestaton: C"), "line 5: unknown key 'attestaton'");
        // a name that never resolves (RFC 2606 .invalid)
        assertError(config(5060).replace("nextHop: \"127.0.0.1:5060\"", "nextHop: \"carrier.invalid:5060\""),
                "line 14: nextHop: cannot resolve 'carrier.invalid'");
        assertError(config(5060).replace("source: 127.0.0.0/8", "source: 127.0.0.0/99"), "line 7: prefix length");
        assertError(config(5060).replace("action: block", "action: drop"),
                "line 8: rule action must be one of attest-a, attest-b, attest-c, no-sign, block, block-dno, was 'drop'");
        assertError(config(5060).replace("no-identity: reject", "no-identiti: reject"), "line 12: unknown key 'no-identiti'");
        assertError(config(5060).replace("  budgetMillis: 1000", "  budgetMillis: soon"),
                "line 11: budgetMillis must be a number");
        assertError(config(5060).replace("https://certs", "http://certs"), "line 4: signing.x5u must be an https URL");
        String noSigning = config(5060).replaceAll("(?s)signing:.*?verification:", "verification:");
        assertError(noSigning, "listening point 'out' signs, but there is no signing section");
        assertError("listeningPoints: []\n", "at least one listening point is needed");
        assertError("eventLoops: [1\n", "not valid YAML");
    }

    private static void assertError(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(yaml, "shakengate.yaml"));
        assertTrue(e.getMessage().startsWith("shakengate.yaml: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void everyErrorIsReportedWithItsLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(String.join("\n",
                "eventLoops: 0",
                "metrics: { listen: \"localhost:9090\" }",
                "sipStreams: { maxConnections: 10, maxPerAddress: 20 }",
                "listeningPoints:",
                "  - { name: a, transport: sctp, listen: \"127.0.0.1:5070\", nextHop: \"127.0.0.1:5080\" }",
                "  - { name: b, listen: \"127.0.0.1:5071\", role: sign, nextHop: \"127.0.0.1:5081\" }",
                ""), "many.yaml"));
        String m = e.getMessage();
        assertTrue(m.startsWith("many.yaml: 5 errors\n"), m);
        assertEquals(6, m.split("\n").length, m);
        assertTrue(m.contains("line 1") && m.contains("eventLoops"), m);
        assertTrue(m.contains("line 2") && m.contains("metrics.listen"), m);
        assertTrue(m.contains("line 3") && m.contains("maxPerAddress (20) is above"), m);
        assertTrue(m.contains("line 5") && m.contains("transport must be udp, tcp or tls"), m);
        assertTrue(m.contains("line 6") && m.contains("signs, but there is no signing section"), m);
    }

    @Test
    void theExampleConfigurationParses() throws Exception {
        Path example = Path.of("config/shakengate.example.yaml");
        ApplianceConfig c = ApplianceConfig.parse(Files.readString(example), example.toString());
        assertEquals(4, c.points().size());
        assertEquals(2, c.points().get(3).failover().hops().size());
        assertEquals(30, c.points().get(3).failover().holdDownSeconds());
        assertEquals(StreamLimits.Limits.DEFAULT, c.streams());
        assertEquals(5, c.signing().rules().size());
        assertEquals(io.shakengate.proxy.stir.AuthenticationPolicy.Delivery.BOTH, c.signing().rules().get(2).delivery());
        assertEquals("enterprise", c.signing().rules().get(0).more().identity());
        assertEquals(java.util.List.of("carrier", "enterprise"), c.signing().identities().stream()
                .map(io.shakengate.proxy.config.IdentityConfig::name).toList());
        assertTrue(c.points().get(2).redirect());
        assertEquals("cps.example.net", c.cps().serve().audience());
        assertEquals(io.shakengate.proxy.stir.Retrieval.WHEN_NO_IDENTITY, c.cps().retrieve());
        assertEquals(16384, c.api().maxBodyBytes());
    }

    @Test
    void checkConfigSaysOkOrNamesTheFileAtFault() throws Exception {
        Path file = Files.writeString(dir.resolve("shakengate.yaml"), config(5060));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ProxyMain.EXIT_OK, ProxyMain.run(new String[] {"check-config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(file + ": OK"));
        Files.writeString(key, "not a key");
        err.reset();
        assertEquals(ProxyMain.EXIT_CONFIG, ProxyMain.run(new String[] {"check-config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(key.toString()), err.toString(StandardCharsets.UTF_8));
        Files.delete(key);
        err.reset();
        assertEquals(ProxyMain.EXIT_CONFIG, ProxyMain.run(new String[] {"check-config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("signing identity 'default': key: no such file: " + key),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCrlIsVerifiedWhenReadAndARefusedOneNamesItsSetting() throws Exception {
        java.security.cert.X509CRL crl = pki.crlRevoking(pki.endEntity(TestPki.Flaw.NONE).cert());
        Path crlFile = Files.write(dir.resolve("sti-pa.crl"), crl.getEncoded());
        Path signer = Files.writeString(dir.resolve("signer.pem"), pki.intermediate.certPem());
        Path root = Files.writeString(dir.resolve("sti-pa-root.pem"), pki.root.certPem());
        String withCrl = config(5060).replace("  budgetMillis: 1000", "  budgetMillis: 1000\n  crl: { file: " + crlFile
                + ", signerChain: " + signer + ", root: " + root + " }");
        ApplianceConfig c = ApplianceConfig.parse(withCrl, "shakengate.yaml");
        assertEquals(crlFile, c.verification().crl().file());
        assertTrue(c.describe().contains("CRL " + crlFile), c.describe());
        java.util.concurrent.ExecutorService none = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            io.shakengate.proxy.Appliance.resolve(c, none);
            // a root the signer does not lead to
            Files.writeString(root, new TestPki(System.currentTimeMillis()).root.certPem());
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> io.shakengate.proxy.Appliance
                    .resolve(ApplianceConfig.parse(withCrl, "shakengate.yaml"), none));
            assertTrue(e.getMessage().startsWith("verification.crl: " + crlFile + ": CRL refused"), e.getMessage());
            // a file that is not a CRL
            Files.writeString(root, pki.root.certPem());
            Files.writeString(crlFile, "not a CRL");
            e = assertThrows(java.io.IOException.class, () -> io.shakengate.proxy.Appliance
                    .resolve(ApplianceConfig.parse(withCrl, "shakengate.yaml"), none));
            assertTrue(e.getMessage().contains("CRL refused"), e.getMessage());
        } finally {
            none.shutdownNow();
        }
        assertError(withCrl.replace("signerChain: ", "signer: "), "unknown key 'signer'");
    }

    @Test
    void theDescriptionShowsAddressesAsWritten() {
        ApplianceConfig c = ApplianceConfig.parse(String.join("\n",
                "metrics: { listen: \"127.0.0.1:9091\" }",
                "signing: { key: /k.pem, x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "api: { listen: \"127.0.0.1:7091\", bearerTokens: /tokens }",
                "listeningPoints:",
                "  - { name: out, listen: \"[::1]:5070\", role: sign, nextHop: \"127.0.0.1:5080\" }",
                ""), "test.yaml");
        String d = c.describe();
        assertTrue(d.contains("api: http://127.0.0.1:7091,"), d);
        assertTrue(d.contains("metrics: http://127.0.0.1:9091/metrics"), d);
        assertTrue(d.contains("udp [::1]:5070, sign -> 127.0.0.1:5080"), d);
        assertTrue(!d.contains(" /127.0.0.1") && !d.contains("http:///"), d);
    }
}
