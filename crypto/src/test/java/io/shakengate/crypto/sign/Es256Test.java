package io.shakengate.crypto.sign;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Es256Test {
    static List<EcdsaProvider> providers() {
        // Both must be usable on this project's machines (linux-x86_64): a silent fallback to BouncyCastle
        // would hide a 5x slowdown, so ACCP not loading here fails the test instead of skipping it.
        return List.of(EcdsaProvider.values());
    }

    static String resource(String name) {
        try (InputStream in = Es256Test.class.getResourceAsStream("/io/shakengate/crypto/vectors/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Verifies the compact JWS {@code token} with {@code key} the way a PASSporT verifier does. */
    private static boolean verifyJws(EcdsaProvider provider, String token, PublicKey key) {
        int dot = token.lastIndexOf('.');
        byte[] input = token.substring(0, dot).getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        return new Es256Verifier(provider).verify(input, sig, key);
    }

    @Test
    void shouldUseAcceleratedProviderHereAndExplainTheChoice() {
        assertTrue(EcdsaProvider.ACCP.isAvailable(), EcdsaProvider.ACCP.unavailableReason());
        assertEquals(EcdsaProvider.ACCP, EcdsaProvider.select("auto"));
        assertEquals(EcdsaProvider.BOUNCY_CASTLE, EcdsaProvider.select("bc"));
        assertTrue(EcdsaProvider.selected().describe().contains("Amazon"), EcdsaProvider.selected().describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EcdsaProvider.select("sunec"));
        assertTrue(e.getMessage().contains(EcdsaProvider.PROPERTY));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void shouldSignAndCrossVerifyWithEveryOtherImplementation(EcdsaProvider provider) throws Exception {
        KeyPair kp = p256();
        byte[] input = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjE3NjcyMjU2MDB9".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = new SignerPool(provider, kp.getPrivate()).signer().sign(input);
        assertEquals(64, sig.length);
        for (EcdsaProvider other : EcdsaProvider.values()) {
            assertTrue(new Es256Verifier(other).verify(input, sig, kp.getPublic()), provider + " -> " + other);
        }
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        jdk.initVerify(kp.getPublic());
        jdk.update(input);
        assertTrue(jdk.verify(sig), "JDK SunEC agrees");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void shouldInteroperateWithNimbus(EcdsaProvider provider) throws Exception {
        KeyPair kp = p256();
        JWSObject nimbus = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{\"iat\":1767225600}"));
        nimbus.sign(new ECDSASigner((ECPrivateKey) kp.getPrivate()));
        assertTrue(verifyJws(provider, nimbus.serialize(), kp.getPublic()), "Nimbus token verifies with ours");

        String signingInput = nimbus.getHeader().toBase64URL() + "." + nimbus.getPayload().toBase64URL();
        byte[] sig = new Es256Signer(provider, provider.translate(kp.getPrivate()))
                .sign(signingInput.getBytes(StandardCharsets.US_ASCII));
        JWSObject ours = JWSObject.parse(signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
        assertTrue(ours.verify(new ECDSAVerifier((ECPublicKey) kp.getPublic())), "our token verifies with Nimbus");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void shouldVerifyThePublishedVectors(EcdsaProvider provider) {
        assertTrue(verifyJws(provider, resource("valid-attest-a.jwt"),
                SigningKeys.publicKey(resource("ee-good.pub.pem"), "ee-good.pub.pem")), "synthetic valid-attest-a");
        assertFalse(verifyJws(provider, resource("valid-attest-a.jwt"),
                SigningKeys.publicKey(resource("ee-expired.pub.pem"), "ee-expired.pub.pem")), "another key");
        assertTrue(verifyJws(provider, resource("rfc8946-3/token.txt"),
                SigningKeys.publicKey(resource("rfc8946-3/public-key.pem"), "rfc8946")), "RFC 8946 div");
        assertTrue(verifyJws(provider, resource("rfc7515-a3/token.txt"),
                SigningKeys.publicKey(resource("rfc7515-a3/public-key.pem"), "rfc7515")), "RFC 7515 A.3");
        PublicKey sp = SigningKeys.publicKey(resource("libstirshaken/sp.pub"), "sp.pub");
        assertTrue(verifyJws(provider, resource("libstirshaken/passport-1.txt"), sp), "libstirshaken 1");
        assertTrue(verifyJws(provider, resource("libstirshaken/passport-2.txt"), sp), "libstirshaken 2");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void shouldRejectMalformedSignaturesWithFalse(EcdsaProvider provider) throws Exception {
        KeyPair kp = p256();
        byte[] input = "a.b".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = new Es256Signer(provider, kp.getPrivate()).sign(input);
        Es256Verifier v = new Es256Verifier(provider);
        assertTrue(v.verify(input, sig, kp.getPublic()));
        assertFalse(v.verify("a.c".getBytes(StandardCharsets.US_ASCII), sig, kp.getPublic()), "tampered input");
        byte[] flipped = sig.clone();
        flipped[40] ^= 1;
        assertFalse(v.verify(input, flipped, kp.getPublic()), "tampered signature");
        assertFalse(v.verify(input, Arrays.copyOf(sig, 63), kp.getPublic()), "short");
        Signature der = Signature.getInstance("SHA256withECDSA");
        der.initSign(kp.getPrivate());
        der.update(input);
        assertFalse(v.verify(input, der.sign(), kp.getPublic()), "DER is not a JWS signature");
        byte[] zeroR = sig.clone();
        Arrays.fill(zeroR, 0, 32, (byte) 0);
        assertFalse(v.verify(input, zeroR, kp.getPublic()), "R = 0");
        byte[] bigS = sig.clone();
        Arrays.fill(bigS, 32, 64, (byte) 0xff);
        assertFalse(v.verify(input, bigS, kp.getPublic()), "S >= n");
        assertTrue(v.verify(input, sig, kp.getPublic()), "still usable after failures");
    }

    @Test
    void shouldLoadPkcs8AndSec1KeysAndSignWhatTheirPublicKeysVerify() {
        PrivateKey pkcs8 = SigningKeys.privateKey(resource("ee-good.key.pem"), "ee-good.key.pem");
        PublicKey pub = SigningKeys.publicKey(resource("ee-good.pub.pem"), "ee-good.pub.pem");
        byte[] input = "x.y".getBytes(StandardCharsets.US_ASCII);
        EcdsaProvider p = EcdsaProvider.selected();
        assertTrue(new Es256Verifier(p).verify(input, new SignerPool(p, pkcs8).signer().sign(input), pub));
        PrivateKey sec1 = SigningKeys.privateKey(resource("libstirshaken/sp.priv"), "sp.priv");
        PublicKey spPub = SigningKeys.publicKey(resource("libstirshaken/sp.pub"), "sp.pub");
        assertTrue(new Es256Verifier(p).verify(input, new SignerPool(p, sec1).signer().sign(input), spPub));
    }

    @Test
    void shouldRefuseAnythingButAP256KeyWithAClearError() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded());
        assertMessage(() -> SigningKeys.privateKey(rsaPem, "rsa.pem"), "rsa.pem: a RSA key");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        String p384 = pem("PRIVATE KEY", ec.generateKeyPair().getPrivate().getEncoded());
        assertMessage(() -> SigningKeys.privateKey(p384, "p384.pem"), "384 bits that is not P-256");
        assertMessage(() -> SigningKeys.privateKey("not a pem", "junk.pem"), "junk.pem: no PEM object");
        assertMessage(() -> SigningKeys.privateKey(resource("ee-good.pub.pem"), "pub.pem"),
                "expected an unencrypted EC private key");
        assertMessage(() -> SigningKeys.publicKey(resource("ee-good.key.pem"), "key.pem"), "expected a PUBLIC KEY");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void shouldGiveEachThreadItsOwnSigner() throws Exception {
        KeyPair kp = p256();
        SignerPool pool = new SignerPool(EcdsaProvider.selected(), kp.getPrivate());
        Es256Signer mine = pool.signer();
        byte[][] otherSig = new byte[1][];
        Es256Signer[] other = new Es256Signer[1];
        Thread t = new Thread(() -> {
            other[0] = pool.signer();
            otherSig[0] = other[0].sign(new byte[] {1});
        });
        t.start();
        t.join();
        assertTrue(mine == pool.signer(), "the same signer for the same thread");
        assertFalse(mine == other[0], "another signer for another thread");
        assertTrue(new Es256Verifier(EcdsaProvider.selected()).verify(new byte[] {1}, otherSig[0], kp.getPublic()));
    }
}
