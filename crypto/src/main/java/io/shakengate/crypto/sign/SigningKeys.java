package io.shakengate.crypto.sign;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.spec.ECParameterSpec;

/**
 * Loads ES256 keys from PEM: private keys as PKCS#8 ({@code BEGIN PRIVATE KEY}) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}), public keys as SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}). Anything
 * that is not a P-256 key (RSA, P-384, Ed25519, an encrypted key, garbage) is refused with an
 * {@link IllegalArgumentException} that says what was found.
 */
public final class SigningKeys {
    /** The order n of P-256 (secp256r1), which identifies the curve. */
    private static final BigInteger P256_ORDER =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    private SigningKeys() {
    }

    /** The P-256 private key in the PEM file {@code path}. */
    public static PrivateKey readPrivateKey(Path path) throws IOException {
        return privateKey(Files.readString(path, StandardCharsets.US_ASCII), path.toString());
    }

    /** The P-256 private key in {@code pem}; {@code source} names it in errors. */
    public static PrivateKey privateKey(String pem, String source) {
        Object o = readPem(pem, source);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key;
        try {
            if (o instanceof PEMKeyPair pair) {
                key = converter.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (o instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new IllegalArgumentException(source + ": expected an unencrypted EC private key (PKCS#8 or "
                        + "SEC1 PEM), found " + describe(o));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": unreadable private key: " + e.getMessage(), e);
        }
        return requireP256(key, source);
    }

    /** The public key of a P-256 private key (Q = d·G, with BouncyCastle's curve arithmetic). */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof java.security.interfaces.ECPrivateKey ec)) {
            throw new IllegalArgumentException("not an EC private key: " + key.getAlgorithm());
        }
        org.bouncycastle.jce.spec.ECNamedCurveParameterSpec curve =
                org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("secp256r1");
        org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(ec.getS()).normalize();
        try {
            return java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(
                    new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                    ec.getParams()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("not a P-256 key: " + e.getMessage(), e);
        }
    }

    /** The P-256 public key in {@code pem}; {@code source} names it in errors. */
    public static PublicKey publicKey(String pem, String source) {
        Object o = readPem(pem, source);
        if (!(o instanceof SubjectPublicKeyInfo info)) {
            throw new IllegalArgumentException(source + ": expected a PUBLIC KEY PEM, found " + describe(o));
        }
        try {
            return requireP256(new JcaPEMKeyConverter().getPublicKey(info), source);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": unreadable public key: " + e.getMessage(), e);
        }
    }

    private static Object readPem(String pem, String source) {
        try (Reader r = new StringReader(pem); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            if (o == null) {
                throw new IllegalArgumentException(source + ": no PEM object found");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": malformed PEM: " + e.getMessage(), e);
        }
    }

    private static <K extends java.security.Key> K requireP256(K key, String source) {
        if (!(key instanceof ECKey ec)) {
            throw new IllegalArgumentException(source + ": a " + key.getAlgorithm()
                    + " key; ES256 needs an EC key on P-256");
        }
        ECParameterSpec params = ec.getParams();
        if (params == null || !P256_ORDER.equals(params.getOrder()) || params.getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException(source + ": an EC key on a curve of "
                    + (params == null ? "unknown" : params.getCurve().getField().getFieldSize())
                    + " bits that is not P-256; ES256 needs P-256 (secp256r1)");
        }
        return key;
    }

    private static String describe(Object o) {
        return o == null ? "nothing" : o.getClass().getSimpleName().replace("PEMEncryptedKeyPair", "an encrypted key")
                .replace("PKCS8EncryptedPrivateKeyInfo", "an encrypted key");
    }
}
