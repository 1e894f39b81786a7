package io.shakengate.proxy.identity;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Sipp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.util.CSRBuilder;

import javax.net.ssl.SSLContext;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RFC 8555 flow of the appliance's ACME client against a real ACME server, Debian's {@code pebble},
 * started here on loopback (its own TLS certificate made here) and stopped by PID: account, order, the
 * authorization's challenge answered (pebble told to take every challenge as valid:
 * {@code PEBBLE_VA_ALWAYS_VALID}), finalize, download; a second order for a new key (a renewal); a server
 * answering something that is not ACME; a server that is gone. Pebble knows only dns and ip identifiers, so
 * the order here is for a dns name with http-01; the TNAuthList identifier and tkauth-01 run the same code
 * against the test STI-CA ({@link StiCaRenewalTest}).
 */
class PebbleTest {
    @TempDir
    Path dir;
    private Process pebble;

    @AfterEach
    void stop() throws Exception {
        if (pebble != null && pebble.isAlive()) {
            pebble.destroy();
            if (!pebble.waitFor(5, TimeUnit.SECONDS)) {
                pebble.destroyForcibly();
            }
        }
    }

    private static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/pebble"));
    }


    private int[] startPebble(TestPki pki) throws Exception {
        TestPki.Issued tls = pki.tlsServer();
        Files.writeString(dir.resolve("cert.pem"), tls.certPem());
        Files.writeString(dir.resolve("key.pem"), tls.privateKeyPem());
        int port = Sipp.freeUdpPort();
        int management = Sipp.freeUdpPort();
        Files.writeString(dir.resolve("pebble.json"), "{\"pebble\":{\"listenAddress\":\"127.0.0.1:" + port
                + "\",\"managementListenAddress\":\"127.0.0.1:" + management + "\",\"certificate\":\""
                + dir.resolve("cert.pem") + "\",\"privateKey\":\"" + dir.resolve("key.pem")
                + "\",\"httpPort\":5002,\"tlsPort\":5001,\"ocspResponderURL\":\"\","
                + "\"externalAccountBindingRequired\":false}}");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/pebble", "-config", dir.resolve("pebble.json").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pb.environment().put("PEBBLE_VA_ALWAYS_VALID", "1");
        pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        pebble = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                assertTrue(s.isConnected());
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline || !pebble.isAlive()) {
                    throw new AssertionError("pebble did not start: " + Files.readString(dir.resolve("pebble.log")));
                }
                Thread.sleep(100);
            }
        }
        return new int[] {port, management};
    }

    private static byte[] csr(KeyPair key) throws Exception {
        CSRBuilder b = new CSRBuilder();
        b.addDomain("sti.shakengate.test");
        b.sign(key);
        return b.getEncoded();
    }

    @Test
    void accountOrderFinalizeDownloadAndAgainForANewKey() throws Exception {
        assertTrue(installed(), "pebble is not installed (.ci/run installs it: apt-get install pebble)");
        TestPki pki = new TestPki(System.currentTimeMillis());
        int[] ports = startPebble(pki);
        SSLContext tls = pki.clientTls();
        Duration timeout = Duration.ofSeconds(20);
        URI directory = URI.create("https://127.0.0.1:" + ports[0] + "/dir");
        KeyPair account = io.shakengate.crypto.x509.CertificateRequests.newKeyPair();
        AcmeEnrollment.Request request = new AcmeEnrollment.Request(Identifier.dns("sti.shakengate.test"), "http-01",
                null);
        KeyPair first = io.shakengate.crypto.x509.CertificateRequests.newKeyPair();
        List<X509Certificate> chain = AcmeEnrollment.order(AcmeEnrollment.session(directory, tls, timeout, null),
                account, "mailto:noc@shakengate.test", request, csr(first), timeout);
        assertEquals(first.getPublic(), chain.get(0).getPublicKey(), "issued for our key");
        assertTrue(chain.size() >= 2, "the chain with its intermediate: " + chain.size());
        assertTrue(chain.get(0).getSubjectAlternativeNames().toString().contains("sti.shakengate.test"));
        assertTrue(IdentityLoader.holds(chain.get(0).getPublicKey(), first.getPrivate()));

        KeyPair second = io.shakengate.crypto.x509.CertificateRequests.newKeyPair();
        List<X509Certificate> renewed = AcmeEnrollment.order(AcmeEnrollment.session(directory, tls, timeout, null),
                account, null, request, csr(second), timeout);
        assertEquals(second.getPublic(), renewed.get(0).getPublicKey(), "the renewal is for the new key");
        assertNotEquals(chain.get(0).getSerialNumber(), renewed.get(0).getSerialNumber());

        // pebble's management interface serves its root as PEM: HTTPS, but not ACME
        AcmeEnrollment.EnrollmentException garbage = assertThrows(AcmeEnrollment.EnrollmentException.class, () ->
                AcmeEnrollment.order(AcmeEnrollment.session(URI.create("https://127.0.0.1:" + ports[1] + "/roots/0"),
                        tls, timeout, null), account, null, request, csr(second), timeout));
        assertEquals(AcmeEnrollment.Failure.ACME_GARBAGE, garbage.failure, garbage.getMessage());

        long pid = pebble.pid();
        pebble.destroy();
        assertTrue(pebble.waitFor(5, TimeUnit.SECONDS), "pebble " + pid + " stopped");
        AcmeEnrollment.EnrollmentException down = assertThrows(AcmeEnrollment.EnrollmentException.class, () ->
                AcmeEnrollment.order(AcmeEnrollment.session(directory, tls, Duration.ofSeconds(3), null), account,
                        null, request, csr(second), Duration.ofSeconds(3)));
        assertEquals(AcmeEnrollment.Failure.ACME_UNREACHABLE, down.failure, down.getMessage());
        assertTrue(down.getMessage().contains("cannot be reached"), down.getMessage());
    }
}
