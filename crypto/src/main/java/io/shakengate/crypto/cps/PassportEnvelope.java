package io.shakengate.crypto.cps;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;

/**
 * A signed PASSporT sealed for one terminating provider, as RFC 8816 (section 7.4 of that document, the
 * standards digest section 11.1) has it: a JWE in compact serialization, {@code ECDH-ES} key agreement with
 * the provider's P-256 public key and {@code A256GCM} content encryption, {@code cty: passport}. The CPS
 * stores it opaquely; the provider opens it with its private key and then verifies the PASSporT as usual.
 *
 * <p>Nimbus JOSE+JWT does the JWE (ephemeral key, Concat KDF, AES-GCM, the header's {@code epk} point
 * check): the same library the tests use as an independent JWS implementation, and a well-kept one.
 */
public final class PassportEnvelope {
    /** The {@code cty} of a sealed PASSporT. */
    public static final String CONTENT_TYPE = "passport";
    /** The largest sealed PASSporT opened (a SHAKEN PASSporT is well under 1 KiB; sealing adds a third). */
    public static final int MAX_SEALED_CHARS = 16_384;

    private PassportEnvelope() {
    }

    /** Whether {@code token} is a JWE in compact serialization (five segments), not a JWS (three). */
    public static boolean isSealed(String token) {
        int dots = 0;
        for (int i = 0; i < token.length() && dots < 5; i++) {
            if (token.charAt(i) == '.') {
                dots++;
            }
        }
        return dots == 4;
    }

    /** {@code passport} sealed to {@code recipient} (a P-256 key). */
    public static String seal(String passport, ECPublicKey recipient) {
        requireP256(recipient.getParams());
        try {
            JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A256GCM)
                    .contentType(CONTENT_TYPE).build(), new Payload(passport.getBytes(StandardCharsets.US_ASCII)));
            jwe.encrypt(new ECDHEncrypter(recipient));
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("sealing a PASSporT failed: " + e.getMessage(), e);
        }
    }

    private static void requireP256(ECParameterSpec p) {
        if (p == null || p.getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("a sealing key must be an EC P-256 key");
        }
    }

    /** Opens PASSporTs sealed to one private key. Thread-safe. */
    public static final class Opener {
        private final ECDHDecrypter decrypter;

        /** An opener with {@code key} (P-256). */
        public Opener(ECPrivateKey key) {
            requireP256(key.getParams());
            try {
                this.decrypter = new ECDHDecrypter(key);
            } catch (JOSEException e) {
                throw new IllegalArgumentException("not a usable P-256 key: " + e.getMessage(), e);
            }
        }

        /**
         * The PASSporT inside {@code sealed}, or null when it is not a JWE of this profile (ECDH-ES, A256GCM),
         * too large, not for this key, or tampered with. Never throws on hostile input.
         */
        public String open(String sealed) {
            if (sealed == null || sealed.length() > MAX_SEALED_CHARS) {
                return null;
            }
            try {
                JWEObject jwe = JWEObject.parse(sealed);
                if (!JWEAlgorithm.ECDH_ES.equals(jwe.getHeader().getAlgorithm())
                        || !EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
                    return null;
                }
                synchronized (this) {
                    jwe.decrypt(decrypter);
                }
                String passport = new String(jwe.getPayload().toBytes(), StandardCharsets.US_ASCII);
                return passport.isEmpty() || isSealed(passport) ? null : passport;
            } catch (java.text.ParseException | JOSEException | RuntimeException e) {
                return null;
            }
        }
    }
}
