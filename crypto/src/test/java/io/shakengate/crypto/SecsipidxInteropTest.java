package io.shakengate.crypto;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Interop both ways with secsipidx (Debian package secsipidx, an independent Go implementation; .ci/run
 * installs it): our Identity headers verify with it, and its headers verify with ours, under both ECDSA
 * providers.
 */
class SecsipidxInteropTest {
    private static final String URL = "https://cert.test.example/sti/good.pem";
    private static final String ORIG = "12155550121";
    private static final String DEST = "12155550131";

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued ee;
    static Path key;
    static Path pub;

    @BeforeAll
    static void setUp() throws IOException {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        key = Files.writeString(dir.resolve("ee.key.pem"), ee.privateKeyPem());
        pub = Files.writeString(dir.resolve("ee.pub.pem"), ee.publicKeyPem());
    }

    static String[] secsipidx(String... args) throws Exception {
        return io.shakengate.crypto.testing.Secsipidx.run(args);
    }

    @Test
    void ourIdentityHeadersVerifyWithSecsipidx() throws Exception {
        for (EcdsaProvider provider : EcdsaProvider.values()) {
            PassportSigner signer = new PassportSigner(new SignerPool(provider, ee.keys().getPrivate()), URL);
            String identity = signer.identity(new ShakenClaims(Attestation.A, ORIG, List.of(DEST),
                    System.currentTimeMillis() / 1000, "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f"));
            String[] ok = secsipidx("-check", "-identity", identity, "-p", pub.toString(), "-expire", "300");
            assertEquals("0", ok[0], provider + ": " + ok[1]);
            assertTrue(ok[1].endsWith("ok") && !ok[1].contains("not-ok"), ok[1]);

            String tampered = identity.replaceFirst("\\.([A-Za-z0-9_-])", ".X");
            String[] bad = secsipidx("-check", "-identity", tampered, "-p", pub.toString(), "-expire", "300");
            assertNotEquals("0", bad[0], "secsipidx must refuse a tampered header: " + bad[1]);
        }
    }

    @Test
    void secsipidxIdentityHeadersVerifyWithOurs() throws Exception {
        String[] signed = secsipidx("-sign-full", "-orig-tn", ORIG, "-dest-tn", DEST, "-attest", "B", "-x5u", URL,
                "-k", key.toString(), "-orig-id", "5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
        assertEquals("0", signed[0], signed[1]);
        String identity = signed[1].lines().filter(l -> l.contains(";info=")).findFirst().orElseThrow();
        String token = identity.substring(0, identity.indexOf(';'));
        assertTrue(identity.contains(";info=<" + URL + ">"), identity);
        for (EcdsaProvider provider : EcdsaProvider.values()) {
            long now = System.currentTimeMillis() / 1000;
            PassportVerifier verifier = new PassportVerifier(PassportVerifier.Config.DEFAULT,
                    url -> java.util.concurrent.CompletableFuture.completedFuture(CertificateSource.Chain.of(pki.chain(ee))),
                    new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null), () -> now, provider);
            VerificationResult r = verifier.verify(new PassportVerifier.Request(token, URL, "ES256", "shaken", ORIG,
                    List.of(DEST), -1)).join();
            assertTrue(r.passed(), provider + ": " + r);
            assertEquals("B", r.attest());
            assertEquals("5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7", r.origid());
        }
    }
}
