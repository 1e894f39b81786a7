package io.shakengate.crypto.sign;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Checks 64-byte {@code R || S} ES256 signatures. Like Nimbus's ECDSAVerifier, it answers false for any
 * signature that is not valid, including one of the wrong length (a DER-encoded signature, which JWS does not
 * allow) or with R or S out of range; it throws only on misuse. Not thread-safe: one per thread.
 */
public final class Es256Verifier {
    private final Signature signature;
    private PublicKey initialisedWith;

    /** A verifier using {@code provider}. */
    public Es256Verifier(EcdsaProvider provider) {
        this.signature = provider.newSignature();
    }

    /** True if {@code sig} is a valid ES256 signature of {@code input[offset, offset + length)} by {@code key}. */
    public boolean verify(byte[] input, int offset, int length, byte[] sig, int sigOffset, int sigLength,
                          PublicKey key) {
        if (sigLength != Es256Signer.SIGNATURE_BYTES || isZero(sig, sigOffset) || isZero(sig, sigOffset + 32)) {
            return false;
        }
        try {
            // verify() leaves the Signature initialised with the same key (JCA contract): skip initVerify
            // when the key is the one of the previous call, which the certificate cache makes the usual case.
            if (key != initialisedWith) {
                initialisedWith = null;
                signature.initVerify(key);
                initialisedWith = key;
            }
            signature.update(input, offset, length);
            return signature.verify(sig, sigOffset, sigLength);
        } catch (java.security.SignatureException e) {
            initialisedWith = null;
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an ES256 public key: " + e.getMessage(), e);
        }
    }

    /** True if {@code sig} (64 bytes) is a valid signature of {@code input} by {@code key}. */
    public boolean verify(byte[] input, byte[] sig, PublicKey key) {
        return verify(input, 0, input.length, sig, 0, sig.length, key);
    }

    private static boolean isZero(byte[] b, int offset) {
        for (int i = offset; i < offset + 32; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
