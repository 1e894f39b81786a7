package io.shakengate.crypto.cps;

import io.shakengate.crypto.testing.NodeJose;
import io.shakengate.crypto.x509.Pem;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PASSporTs sealed for a terminating provider (RFC 8816 model): a round trip, and every way a sealed PASSporT
 * can be wrong (another key, each segment tampered with, another algorithm, too large, garbage) opens to
 * nothing. Interop both ways with node {@code jose} (an independent JWE implementation, installed by .ci/run
 * under .ci/npm): what we seal it decrypts, what it encrypts we open.
 */
class PassportEnvelopeTest {
    static final String PASSPORT = "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6"
            + "Ly9jZXJ0LmV4YW1wbGUuY29tL3N0aS8xMjM0LWdvb2QucGVtIn0.eyJhdHRlc3QiOiJBIn0.c2lnbmF0dXJl";

    static KeyPair p256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void sealedOpensWithTheRightKeyOnly() throws Exception {
        KeyPair b = p256();
        String sealed = PassportEnvelope.seal(PASSPORT, (ECPublicKey) b.getPublic());
        assertTrue(PassportEnvelope.isSealed(sealed), sealed);
        assertFalse(PassportEnvelope.isSealed(PASSPORT));
        assertFalse(sealed.contains(PASSPORT.substring(0, 40)), "the clear PASSporT is not in the JWE");
        String header = new String(Base64.getUrlDecoder().decode(sealed.substring(0, sealed.indexOf('.'))),
                StandardCharsets.UTF_8);
        assertTrue(header.contains("\"alg\":\"ECDH-ES\"") && header.contains("\"enc\":\"A256GCM\"")
                && header.contains("\"cty\":\"passport\""), header);
        assertEquals(PASSPORT, new PassportEnvelope.Opener((ECPrivateKey) b.getPrivate()).open(sealed));
        assertNull(new PassportEnvelope.Opener((ECPrivateKey) p256().getPrivate()).open(sealed), "another key");
    }

    @Test
    void tamperedOrForeignSealsOpenToNothing() throws Exception {
        KeyPair b = p256();
        PassportEnvelope.Opener opener = new PassportEnvelope.Opener((ECPrivateKey) b.getPrivate());
        String sealed = PassportEnvelope.seal(PASSPORT, (ECPublicKey) b.getPublic());
        String[] parts = sealed.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                continue; // ECDH-ES: no encrypted key
            }
            String[] t = parts.clone();
            char c = t[i].charAt(t[i].length() / 2);
            t[i] = t[i].substring(0, t[i].length() / 2) + (c == 'A' ? 'B' : 'A') + t[i].substring(t[i].length() / 2 + 1);
            assertNull(opener.open(String.join(".", t)), "segment " + i + " tampered");
        }
        assertNull(opener.open("a.b.c.d.e"));
        assertNull(opener.open(""));
        assertNull(opener.open(null));
        assertNull(opener.open(sealed + "x".repeat(PassportEnvelope.MAX_SEALED_CHARS)), "too large");
        assertNull(opener.open(PASSPORT), "a JWS is not sealed");
        // a JWE of another algorithm (direct AES key) is refused before any decryption
        String dir = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}".getBytes(StandardCharsets.UTF_8));
        assertNull(opener.open(dir + sealed.substring(sealed.indexOf('.'))));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = g.generateKeyPair();
        assertThrows(IllegalArgumentException.class,
                () -> PassportEnvelope.seal(PASSPORT, (ECPublicKey) p384.getPublic()));
    }

    @Test
    void nodeJoseDecryptsWhatWeSealAndWeOpenWhatItEncrypts() throws Exception {
        Path dir = NodeJose.dir();
        KeyPair b = p256();
        String pkcs8 = Pem.armour("PRIVATE KEY", b.getPrivate().getEncoded());
        String spki = Pem.armour("PUBLIC KEY", b.getPublic().getEncoded());
        String sealed = PassportEnvelope.seal(PASSPORT, (ECPublicKey) b.getPublic());
        String opened = NodeJose.run(dir, """
                import { compactDecrypt, importPKCS8 } from 'jose';
                const key = await importPKCS8(process.env.KEY, 'ECDH-ES');
                const { plaintext, protectedHeader } = await compactDecrypt(process.env.JWE, key);
                if (protectedHeader.cty !== 'passport') throw new Error('cty ' + protectedHeader.cty);
                console.log(new TextDecoder().decode(plaintext));
                """, "KEY", pkcs8, "JWE", sealed);
        assertEquals(PASSPORT, opened);
        String theirs = NodeJose.run(dir, """
                import { CompactEncrypt, importSPKI } from 'jose';
                const key = await importSPKI(process.env.PUB, 'ECDH-ES');
                console.log(await new CompactEncrypt(new TextEncoder().encode(process.env.PASSPORT))
                    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'passport' }).encrypt(key));
                """, "PUB", spki, "PASSPORT", PASSPORT);
        assertEquals(PASSPORT, new PassportEnvelope.Opener((ECPrivateKey) b.getPrivate()).open(theirs));
    }
}
