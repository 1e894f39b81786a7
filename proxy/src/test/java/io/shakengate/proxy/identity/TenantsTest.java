package io.shakengate.proxy.identity;

import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.Secsipidx;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two tenants on one sign point, and delegate certificates through the fronts, all on one appliance built from
 * its file: a carrier identity (SPC certificate) and an enterprise identity (a delegate certificate for
 * 12025550100-12025550199, chain STI-CA root -> intermediate -> the carrier's CA -> delegate, made here),
 * both chains served by the appliance's certificate repository over HTTPS on loopback. Calls go SIP sign
 * point -> SIP verify point (which fetches each x5u from the repository) -> a callee socket; each PASSporT is
 * checked by secsipidx with its tenant's certificate key. A caller outside the delegate range fails with its
 * own reason at the verify point and in the HTTP API.
 */
class TenantsTest {
    private static final String TOKEN = "tenants-test-token-0123456789";
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued carrier;
    static TestPki.Issued enterpriseCa;
    static TestPki.Issued enterprise;
    static Appliance appliance;
    static DatagramSocket callee;
    static DatagramSocket caller;
    static HttpClient https;
    static String carrierX5u;
    static String enterpriseX5u;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        carrier = pki.endEntity(TestPki.Flaw.NONE);
        enterpriseCa = pki.serviceProviderCa("CN=SHAKEN 1234 Delegates,O=Test Carrier,C=US", TnAuthList.ofSpc("1234"));
        enterprise = pki.delegate(enterpriseCa, "CN=Enterprise Inc,O=Enterprise Inc,C=US",
                TnAuthList.parseText("12025550100-12025550199"));
        TestPki.Issued tls = pki.tlsServer();
        Files.writeString(dir.resolve("carrier.key"), carrier.privateKeyPem());
        Files.writeString(dir.resolve("carrier.pem"), carrier.certPem() + pki.intermediate.certPem());
        Files.writeString(dir.resolve("enterprise.key"), enterprise.privateKeyPem());
        Files.writeString(dir.resolve("enterprise.pem"), enterprise.certPem() + enterpriseCa.certPem()
                + pki.intermediate.certPem());
        Files.writeString(dir.resolve("repo.pem"), tls.certPem());
        Files.writeString(dir.resolve("repo.key"), tls.privateKeyPem());
        Files.createDirectories(dir.resolve("anchors"));
        Files.writeString(dir.resolve("anchors/root.pem"), pki.root.certPem());
        Files.writeString(dir.resolve("fetch-trust.pem"), pki.root.certPem());
        Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        callee = new DatagramSocket(0, LO);
        caller = new DatagramSocket(0, LO);
        callee.setSoTimeout(5000);
        caller.setSoTimeout(5000);
        int repo = Sipp.freeUdpPort();
        int sign = Sipp.freeUdpPort();
        int verify = Sipp.freeUdpPort();
        carrierX5u = "https://127.0.0.1:" + repo + "/sti/carrier.pem";
        enterpriseX5u = "https://127.0.0.1:" + repo + "/sti/enterprise.pem";
        Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                "signing:",
                "  identities:",
                "    - { name: carrier, key: " + dir.resolve("carrier.key") + ", chain: " + dir.resolve("carrier.pem")
                        + ", x5u: \"" + carrierX5u + "\" }",
                "    - { name: enterprise, key: " + dir.resolve("enterprise.key") + ", chain: "
                        + dir.resolve("enterprise.pem") + ", x5u: \"" + enterpriseX5u + "\" }",
                "  identity: carrier",
                "  rules:",
                "    - { name: enterprise, callingPrefixes: [\"1202555\"], action: attest-a, identity: enterprise }",
                "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + dir.resolve("repo.pem")
                        + ", key: " + dir.resolve("repo.key") + " }",
                "verification:",
                "  trustAnchors: " + dir.resolve("anchors"),
                "  allowPrivateHosts: true",
                "  fetchTrust: " + dir.resolve("fetch-trust.pem"),
                "  x5uPorts: [" + repo + "]",
                "api: { listen: \"127.0.0.1:0\", bearerTokens: " + dir.resolve("tokens") + " }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + sign + "\", role: sign, nextHop: \"127.0.0.1:" + verify + "\" }",
                "  - { name: in, listen: \"127.0.0.1:" + verify + "\", role: verify, nextHop: \"127.0.0.1:"
                        + callee.getLocalPort() + "\" }",
                ""));
        appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()));
        https = HttpClient.newBuilder().sslContext(pki.clientTls()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
        callee.close();
        caller.close();
    }

    private static int calls;

    /** An INVITE from {@code from} to 12155550131, with {@code identity} (or none), sent to point {@code at}. */
    private static String call(String from, String identity, int at) throws Exception {
        String id = "tenants-" + (++calls);
        String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+" + from + "@127.0.0.1;user=phone>;tag=" + id + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                + "P-Asserted-Identity: <tel:+" + from + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + (identity == null ? "" : "Identity: " + identity + "\r\n")
                + "Content-Length: 0\r\n\r\n";
        byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
        caller.send(new DatagramPacket(b, b.length, new InetSocketAddress(LO, at)));
        byte[] buf = new byte[65535];
        while (true) {
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            callee.receive(got);
            String s = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
            if (s.contains("Call-ID: " + id + "\r\n")) {
                return s;
            }
        }
    }

    private static String header(String message, String name) {
        for (String l : message.split("\r\n")) {
            if (l.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return l.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    /** The chain the repository serves at {@code x5u}. */
    private static List<X509Certificate> fetched(String x5u) throws Exception {
        HttpResponse<byte[]> r = https.send(HttpRequest.newBuilder(URI.create(x5u)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), x5u);
        assertEquals("application/pem-certificate-chain", r.headers().firstValue("Content-Type").orElse(""));
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(r.body()))
                .forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    /** secsipidx's check of {@code identity} with the key of {@code cert}: its exit status and output. */
    private static String[] secsipidxCheck(String identity, X509Certificate cert, String name) throws Exception {
        Path pub = Files.writeString(dir.resolve(name + ".pub.pem"), Pem.armour("PUBLIC KEY",
                cert.getPublicKey().getEncoded()));
        return Secsipidx.run("-check", "-identity", identity, "-p", pub.toString(), "-expire", "300");
    }

    private static final Pattern X5U = Pattern.compile(";info=<([^>]+)>");

    @Test
    void eachTenantsCallsCarryItsOwnCertificate() throws Exception {
        int sign = appliance.bound().get(0).getPort();
        String[][] cases = {
            {"12025550150", "enterprise"}, // the enterprise rule, inside its delegate range
            {"12155550121", "carrier"},     // no rule: the default identity
            {"12025550999", "carrier"},     // the enterprise rule, outside its range: the default signs
        };
        for (String[] c : cases) {
            String got = call(c[0], null, sign);
            String identity = header(got, "Identity");
            assertTrue(identity != null, c[0] + ": not signed: " + got);
            Matcher m = X5U.matcher(identity);
            assertTrue(m.find(), identity);
            String x5u = m.group(1);
            assertEquals(c[1].equals("enterprise") ? enterpriseX5u : carrierX5u, x5u, c[0]);
            assertTrue(header(got, "P-Asserted-Identity").contains("verstat=TN-Validation-Passed"),
                    c[0] + ": the verify point fetched " + x5u + " and passed it: " + got);
            List<X509Certificate> chain = fetched(x5u);
            X509Certificate mine = c[1].equals("enterprise") ? enterprise.cert() : carrier.cert();
            assertEquals(mine, chain.get(0), "the repository serves " + c[1] + "'s chain at its x5u");
            String[] ok = secsipidxCheck(identity, mine, c[1]);
            assertEquals("0", ok[0], c[0] + " with " + c[1] + "'s key: " + ok[1]);
            X509Certificate other = c[1].equals("enterprise") ? carrier.cert() : enterprise.cert();
            String[] bad = secsipidxCheck(identity, other, "other");
            assertNotEquals("0", bad[0], c[0] + ": secsipidx must refuse it with the other tenant's key: " + bad[1]);
        }
        ProxyCounters counts = appliance.server().counters();
        assertEquals(1, counts.get(ProxyCounters.Event.IDENTITY_FALLBACK), counts.toString());
        assertEquals(3, counts.get(ProxyCounters.Event.VERIFIED_PASSED), counts.toString());
    }

    private static String enterpriseSigned(String orig) {
        PassportSigner s = new PassportSigner(new SignerPool(EcdsaProvider.selected(), enterprise.keys().getPrivate()),
                enterpriseX5u);
        return s.identity(new ShakenClaims(Attestation.A, orig, List.of("12155550131"),
                System.currentTimeMillis() / 1000, java.util.UUID.randomUUID().toString()));
    }

    private static HttpResponse<String> api(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + appliance.apiAddress().getPort() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String verification(String orig, String identity) {
        return "{\"verificationRequest\":{\"from\":{\"tn\":\"" + orig + "\"},\"to\":{\"tn\":[\"12155550131\"]},"
                + "\"identity\":\"" + identity + "\"}}";
    }

    @Test
    void aDelegateCallerInsideItsRangePassesAndOutsideFailsThroughSipAndTheApi() throws Exception {
        int verify = appliance.bound().get(1).getPort();
        ProxyCounters counts = appliance.server().counters();
        long outsideBefore = counts.passports("shaken", VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE);
        String inside = call("12025550101", enterpriseSigned("12025550101"), verify);
        assertTrue(header(inside, "P-Asserted-Identity").contains("verstat=TN-Validation-Passed"), inside);
        String outside = call("12025550300", enterpriseSigned("12025550300"), verify);
        assertTrue(header(outside, "P-Asserted-Identity").contains("verstat=TN-Validation-Failed"), outside);
        assertEquals(outsideBefore + 1, counts.passports("shaken", VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE),
                "counted under its own reason");

        HttpResponse<String> passed = api("/stir/v1/verification", verification("12025550199",
                enterpriseSigned("12025550199")));
        assertEquals(200, passed.statusCode(), passed.body());
        assertTrue(passed.body().contains("\"verstat\":\"TN-Validation-Passed\""), passed.body());
        HttpResponse<String> failed = api("/stir/v1/verification", verification("12025550200",
                enterpriseSigned("12025550200")));
        assertEquals(200, failed.statusCode(), failed.body());
        assertTrue(failed.body().contains("\"reasoncode\":437"), failed.body());
        assertTrue(failed.body().contains(VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE.description()), failed.body());
        assertTrue(failed.body().contains("\"verstat\":\"TN-Validation-Failed\""), failed.body());
    }

    @Test
    void theApiSignsWithTheTenantsIdentityToo() throws Exception {
        HttpResponse<String> r = api("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"A\",\"dest\":{\"tn\":"
                + "[\"12155550131\"]},\"iat\":" + System.currentTimeMillis() / 1000 + ",\"orig\":{\"tn\":\"12025550177\"},"
                + "\"origid\":\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\"}}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains(enterpriseX5u), r.body());
    }
}
