package io.shakengate.proxy.identity;

import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renewal of an STI certificate through ACME with the SPC token, against the test STI-CA
 * ({@link TestStiCa}, documented as such: pebble has no TNAuthList identifier nor tkauth-01): the order for the
 * TNAuthList, the SPC token fetched from the STI-PA token endpoint and answered in tkauth-01, a CSR carrying
 * the TNAuthList, the chain checked and written, the certificate read with {@code openssl x509 -text}; not
 * before it is due (renewAt of its lifetime), with backoff after a failure; and each way it can go wrong
 * counted under its reason with the working certificate left in place.
 */
class StiCaRenewalTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private TestStiCa ca;
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final ByteArrayOutputStream journal = new ByteArrayOutputStream();
    private AtomicReference<SigningIdentities> current;
    private IdentityConfig identity;
    private Renewals renewals;
    private X509Certificate first;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        ca = new TestStiCa(pki);
        KeyPair key = CertificateRequests.newKeyPair();
        long now = System.currentTimeMillis();
        first = pki.issueFor(key.getPublic(), "CN=SHAKEN 1234,O=Test Carrier,C=US", TnAuthList.ofSpc("1234"),
                now - 60_000, now - 60_000 + 3_600_000);
        Files.writeString(dir.resolve("carrier.key"), CertificateRequests.privateKeyPem(key));
        Files.writeString(dir.resolve("carrier.pem"), Pem.armour("CERTIFICATE", first.getEncoded())
                + pki.intermediate.certPem());
        Files.writeString(dir.resolve("ca-trust.pem"), pki.root.certPem());
        Files.writeString(dir.resolve("sti-pa.credential"), TestStiCa.CREDENTIAL + "\n");
        identity = new IdentityConfig("carrier", dir.resolve("carrier.key"), dir.resolve("carrier.pem"),
                "https://certs.shakengate.test/sti/carrier.pem", null, acme(ca.directory(), 3));
        current = new AtomicReference<>(IdentityLoader.load(List.of(identity), null, EcdsaProvider.selected(),
                clock.get()));
        PrintStream lines = new PrintStream(journal, true, StandardCharsets.UTF_8);
        renewals = new Renewals(List.of(identity), current::get, id -> current.set(current.get().with(id)), clock::get,
                lines, lines);
    }

    private IdentityConfig.Acme acme(String directory, int timeoutSeconds) {
        return new IdentityConfig.Acme(URI.create(directory), dir.resolve("acme/account.key"), "mailto:noc@carrier.test",
                TnAuthList.ofSpc("1234"), URI.create(ca.tokenEndpoint()), dir.resolve("sti-pa.credential"), null,
                dir.resolve("ca-trust.pem"), 0.5, 60, timeoutSeconds);
    }

    @AfterEach
    void stop() {
        ca.close();
    }

    private byte[] files() throws Exception {
        return (Files.readString(dir.resolve("carrier.key")) + Files.readString(dir.resolve("carrier.pem")))
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void renewsWhenDueWithTheSpcTokenAndTheChainIsWhatWasAsked() throws Exception {
        assertEquals(List.of(), renewals.renewDue(), "a fresh certificate is not due");
        assertEquals(0, ca.requests.get());
        clock.addAndGet(40 * 60_000L); // past half of its hour
        List<Renewals.Outcome> done = renewals.renewDue();
        assertEquals(1, done.size());
        assertTrue(done.get(0).renewed(), done + "\n" + journal);
        assertEquals(1, ca.tokens.get(), "one SPC token fetched from the STI-PA endpoint");
        assertEquals(1, ca.issued.get());
        List<X509Certificate> chain = Pem.readCertificates(dir.resolve("carrier.pem"));
        X509Certificate now = chain.get(0);
        assertNotEquals(first.getSerialNumber(), now.getSerialNumber());
        assertNotEquals(first.getPublicKey(), now.getPublicKey(), "a new key");
        assertEquals(now, current.get().get("carrier").chain().get(0), "the identity in force is the new one");
        assertEquals(TnAuthList.ofSpc("1234"), TnAuthList.of(now));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("carrier.key"))));
        assertTrue(Files.exists(dir.resolve("acme/account.key")), "the account key was made");
        Process p = new ProcessBuilder("openssl", "x509", "-noout", "-text", "-in", dir.resolve("carrier.pem").toString())
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, text);
        assertTrue(text.contains("1.3.6.1.5.5.7.1.26"), "TNAuthList extension: " + text);
        assertTrue(text.contains("CN=SHAKEN 1234") || text.contains("CN = SHAKEN 1234"), text);
        assertTrue(text.contains("Digital Signature"), text);
        Path csr = Files.write(dir.resolve("last.csr"), ca.lastCsr);
        Process req = new ProcessBuilder("openssl", "req", "-inform", "DER", "-noout", "-text", "-verify", "-in",
                csr.toString()).redirectErrorStream(true).start();
        String csrText = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(req.waitFor(10, TimeUnit.SECONDS) && req.exitValue() == 0, csrText);
        assertTrue(csrText.contains("1.3.6.1.5.5.7.1.26") && csrText.contains("Requested Extensions"),
                "the CSR asks for the TNAuthList: " + csrText);
        assertTrue(csrText.contains("SHAKEN 1234"), csrText);
        assertTrue(csrText.toLowerCase(java.util.Locale.ROOT).contains("verify ok"), "self-signature: " + csrText);
        assertTrue(journal.toString(StandardCharsets.UTF_8).contains("certificate renewal: identity 'carrier' renewed"),
                journal.toString(StandardCharsets.UTF_8));
        assertTrue(renewals.metrics().contains("shakengate_certificate_renewals_total{identity=\"carrier\"} 1"));
        clock.set(System.currentTimeMillis());
        assertEquals(List.of(), renewals.renewDue(), "the new certificate is not due yet");
    }

    private void failsWith(String reason, String says) throws Exception {
        byte[] before = files();
        SigningIdentities was = current.get();
        Renewals.Outcome o = renewals.renew("carrier");
        assertEquals(reason, o.failure(), o.message());
        assertTrue(o.message().contains(says), o.message());
        assertArrayEquals(before, files(), reason + ": nothing on disk replaced");
        assertTrue(was == current.get(), reason + ": the identity in force stays");
        assertTrue(journal.toString(StandardCharsets.UTF_8).contains("certificate renewal: identity 'carrier' failed ("
                + reason + ")"), journal.toString(StandardCharsets.UTF_8));
        assertTrue(renewals.metrics().contains("shakengate_certificate_renewal_failures_total{identity=\"carrier\","
                + "reason=\"" + reason + "\"} "), renewals.metrics());
    }

    @Test
    void eachFailureHasItsReasonAndReplacesNothing() throws Exception {
        ca.mode = TestStiCa.Mode.REFUSE_TOKEN;
        failsWith("token_refused", "403");
        ca.mode = TestStiCa.Mode.OTHER_KEY;
        failsWith("chain_refused", "another key");
        ca.mode = TestStiCa.Mode.OTHER_TNAUTHLIST;
        failsWith("chain_refused", "not the spc:1234 requested");
        ca.mode = TestStiCa.Mode.GARBAGE;
        failsWith("acme_garbage", "not ACME");
        ca.mode = TestStiCa.Mode.SLOW;
        failsWith("acme_timeout", "in time");
        ca.mode = TestStiCa.Mode.OK;
        ca.lifetimeMillis = -1; // issued already expired
        failsWith("chain_refused", "expired");
        ca.close(); // the ACME server is gone
        failsWith("token_refused", "cannot be reached");
        String shown = renewals.metrics();
        assertTrue(shown.contains("reason=\"chain_refused\"} 3"), shown);
        // the backoff: due now, but the last failure put the next attempt off
        clock.addAndGet(40 * 60_000L);
        long requests = ca.requests.get();
        assertEquals(List.of(), renewals.renewDue(), "waits after the failure");
        assertEquals(requests, ca.requests.get());
        assertTrue(renewals.status().get("carrier").contains("failure(s) in a row"), renewals.status().toString());
    }

    @Test
    void aServerThatIsDownIsUnreachable() throws Exception {
        IdentityConfig down = new IdentityConfig("carrier", identity.key(), identity.chain(), identity.x5u(), null,
                new IdentityConfig.Acme(URI.create("https://127.0.0.1:9/acme/directory"), dir.resolve("acme/account.key"),
                        null, TnAuthList.ofSpc("1234"), null, null, Files.writeString(dir.resolve("token"),
                        "a.b.c\n"), dir.resolve("ca-trust.pem"), 0.5, 60, 3));
        renewals.update(List.of(down));
        failsWith("acme_unreachable", "cannot be reached");
    }

    @Test
    void aDelegateIdentityIsEnrolledTheFirstTimeWithItsNumbers() throws Exception {
        TnAuthList numbers = TnAuthList.parseText("12025550100-12025550199");
        IdentityConfig delegate = new IdentityConfig("enterprise", dir.resolve("enterprise.key"),
                dir.resolve("enterprise.pem"), "https://certs.shakengate.test/sti/enterprise.pem", null,
                new IdentityConfig.Acme(URI.create(ca.directory()), dir.resolve("acme/account.key"), null, numbers,
                        URI.create(ca.tokenEndpoint()), dir.resolve("sti-pa.credential"), null,
                        dir.resolve("ca-trust.pem"), 0.5, 60, 5));
        AtomicReference<SigningIdentities> none = new AtomicReference<>();
        PrintStream lines = new PrintStream(journal, true, StandardCharsets.UTF_8);
        Renewals first = new Renewals(List.of(delegate), none::get, id -> none.set(SigningIdentities.of(id)),
                clock::get, lines, lines);
        Renewals.Outcome o = first.renew("enterprise");
        assertTrue(o.renewed(), o + "\n" + journal);
        X509Certificate issued = Pem.readCertificates(dir.resolve("enterprise.pem")).get(0);
        assertEquals(numbers, TnAuthList.of(issued), "the delegate's numbers, as the CSR asked");
        assertEquals("CN=enterprise", issued.getSubjectX500Principal().getName());
        assertTrue(none.get().get("enterprise").covers("12025550150"));
        assertTrue(!none.get().get("enterprise").covers("12025550250"), "signs only for its numbers");
    }

    @Test
    void aChainThatCannotBeWrittenLeavesTheKeyAsItWas() throws Exception {
        Files.writeString(dir.resolve("not-a-dir"), "a file where the chain's directory should be");
        IdentityConfig unwritable = new IdentityConfig("carrier", identity.key(),
                dir.resolve("not-a-dir/carrier.pem"), identity.x5u(), null, identity.acme());
        renewals.update(List.of(unwritable));
        String keyBefore = Files.readString(identity.key());
        Renewals.Outcome o = renewals.renew("carrier");
        assertEquals("write_failed", o.failure(), o.message());
        assertEquals(keyBefore, Files.readString(identity.key()), "the key is not replaced without its chain");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".new")), "no staged file left");
        }
    }
}
