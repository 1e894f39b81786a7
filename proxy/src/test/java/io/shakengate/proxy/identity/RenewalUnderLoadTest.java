package io.shakengate.proxy.identity;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ProxyMain;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A renewal while calls flow: SIPp UAC -> sign point -> SIPp UAS at a steady rate, the appliance renews its
 * identity through the test STI-CA (tkauth-01 with the SPC token) in the middle of the run; no call is lost,
 * the certificate repository serves the new chain at the same x5u, and the next call's PASSporT verifies
 * with the new certificate's key and not with the old one. Then {@code shakengate cert status} and
 * {@code cert renew} on the same file.
 */
class RenewalUnderLoadTest {
    @TempDir
    Path dir;


    @Test
    void aRenewalUnderLoadLosesNoCallAndTheNextCallsCarryTheNewCertificate() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        KeyPair key = CertificateRequests.newKeyPair();
        long now = System.currentTimeMillis();
        X509Certificate old = pki.issueFor(key.getPublic(), "CN=SHAKEN 1234,O=Test Carrier,C=US",
                TnAuthList.ofSpc("1234"), now - 60_000, now + 3_600_000);
        Files.writeString(dir.resolve("carrier.key"), CertificateRequests.privateKeyPem(key));
        Files.writeString(dir.resolve("carrier.pem"), Pem.armour("CERTIFICATE", old.getEncoded())
                + pki.intermediate.certPem());
        Files.writeString(dir.resolve("trust.pem"), pki.root.certPem());
        Files.writeString(dir.resolve("sti-pa.credential"), TestStiCa.CREDENTIAL);
        TestPki.Issued tls = pki.tlsServer();
        Files.writeString(dir.resolve("repo.pem"), tls.certPem());
        Files.writeString(dir.resolve("repo.key"), tls.privateKeyPem());
        int port = Sipp.freeUdpPort();
        int uasPort = Sipp.freeUdpPort();
        int repo = Sipp.freeUdpPort();
        String x5u = "https://127.0.0.1:" + repo + "/sti/carrier.pem";
        int calls = 300;
        try (TestStiCa ca = new TestStiCa(pki)) {
            Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                    "signing:",
                    "  identities:",
                    "    - name: carrier",
                    "      key: " + dir.resolve("carrier.key"),
                    "      chain: " + dir.resolve("carrier.pem"),
                    "      x5u: \"" + x5u + "\"",
                    "      acme: { directory: \"" + ca.directory() + "\", accountKey: " + dir.resolve("account.key")
                            + ", spc: \"1234\", tokenEndpoint: \"" + ca.tokenEndpoint() + "\", tokenAuth: "
                            + dir.resolve("sti-pa.credential") + ", trust: " + dir.resolve("trust.pem")
                            + ", renewAt: 0.9, timeoutSeconds: 10 }",
                    "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + dir.resolve("repo.pem")
                            + ", key: " + dir.resolve("repo.key") + " }",
                    "listeningPoints:",
                    "  - { name: out, listen: \"127.0.0.1:" + port + "\", role: sign, nextHop: \"127.0.0.1:" + uasPort
                            + "\" }",
                    ""));
            X509Certificate renewed;
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, "uas-identity.xml"), "-i",
                        "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls));
                Thread.sleep(300);
                Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                        "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + port, "-m",
                        Integer.toString(calls), "-r", "60");
                Thread.sleep(1500);
                long signedBefore = appliance.server().counters().get(ProxyCounters.Event.SIGNED);
                Renewals.Outcome o = appliance.identities().renewNow("carrier", 30);
                assertTrue(o.renewed(), o.toString());
                assertTrue(uac.isAlive(), "the renewal happened while calls were flowing");
                assertTrue(signedBefore > 0 && signedBefore < calls, "renewed mid-run, after " + signedBefore);
                int uacExit = Sipp.waitFor(uac, 60);
                int uasExit = Sipp.waitFor(uas, 30);
                String detail = appliance.server().counters() + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log"))
                        + "\nUAS:\n" + Sipp.tail(dir.resolve("uas.log"));
                assertEquals(0, uacExit, "every call completes: " + detail);
                assertEquals(0, uasExit, "every INVITE signed: " + detail);
                assertEquals(calls, appliance.server().counters().get(ProxyCounters.Event.SIGNED), detail);

                HttpResponse<byte[]> r = HttpClient.newBuilder().sslContext(pki.clientTls()).build().send(
                        HttpRequest.newBuilder(URI.create(x5u)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                renewed = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(r.body())).iterator().next();
                assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber(), "the repository serves the new chain");
                assertEquals(Pem.readCertificates(dir.resolve("carrier.pem")).get(0), renewed);

                try (DatagramSocket callee = new DatagramSocket(uasPort, InetAddress.getLoopbackAddress());
                     DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    callee.setSoTimeout(5000);
                    String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                            + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-after\r\n"
                            + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=after\r\n"
                            + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: after-renewal\r\n"
                            + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
                    byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
                    caller.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
                    byte[] buf = new byte[65535];
                    DatagramPacket got = new DatagramPacket(buf, buf.length);
                    callee.receive(got);
                    String sent = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
                    String identity = sent.lines().filter(l -> l.startsWith("Identity:")).findFirst().orElseThrow()
                            .substring(9).trim();
                    JWSObject jws = JWSObject.parse(identity.substring(0, identity.indexOf(';')));
                    assertTrue(jws.verify(new ECDSAVerifier((ECPublicKey) renewed.getPublicKey())),
                            "the next call is signed with the renewed key");
                    assertTrue(!jws.verify(new ECDSAVerifier((ECPublicKey) old.getPublicKey())), "not the old one");
                    assertEquals(x5u, jws.getHeader().getX509CertURL().toString());
                }
                String metrics = appliance.identities().metrics();
                assertTrue(metrics.contains("shakengate_certificate_renewals_total{identity=\"carrier\"} 1"), metrics);
                java.util.regex.Matcher left = java.util.regex.Pattern.compile(
                        "shakengate_certificate_expiry_seconds\\{identity=\"carrier\"\\} (\\d+)").matcher(metrics);
                assertTrue(left.find(), metrics);
                long seconds = Long.parseLong(left.group(1));
                assertTrue(seconds > 3000 && seconds <= 3600, "the new certificate's hour: " + seconds);
            }

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(0, ProxyMain.run(new String[] {"cert", "status", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)),
                    err.toString(StandardCharsets.UTF_8));
            String status = out.toString(StandardCharsets.UTF_8);
            assertTrue(status.contains("identity carrier: x5u " + x5u) && status.contains(renewed.getSerialNumber()
                    .toString(16)) && status.contains("renewed through ACME at " + ca.directory()), status);
            out.reset();
            assertEquals(0, ProxyMain.run(new String[] {"cert", "renew", "carrier", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)),
                    err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("certificate renewal: identity 'carrier' renewed"),
                    out.toString(StandardCharsets.UTF_8));
            assertNotEquals(renewed, Pem.readCertificates(dir.resolve("carrier.pem")).get(0));
            assertEquals(2, ProxyMain.run(new String[] {"cert", "renew", "nobody", "--config", file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        }
    }
}
