package io.shakengate.crypto.sign;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * One JCA {@link Signature} bound to one P-256 key, producing the 64-byte JWS signature {@code R || S}.
 *
 * <p>Not thread-safe, by design: a Signature is stateful, and sharing one would need a lock on the hot path.
 * {@link SignerPool} gives each event-loop thread its own.
 */
public final class Es256Signer {
    /** Length of an ES256 signature: R and S, 32 bytes each. */
    public static final int SIGNATURE_BYTES = 64;

    private final Signature signature;

    /** A signer for {@code key} with {@code provider}. */
    public Es256Signer(EcdsaProvider provider, PrivateKey key) {
        this.signature = provider.newSignature();
        try {
            signature.initSign(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(provider + " refused the signing key: " + e.getMessage(), e);
        }
    }

    /** Signs {@code input[offset, offset + length)} into {@code out[outOffset, outOffset + 64)}. */
    public void sign(byte[] input, int offset, int length, byte[] out, int outOffset) {
        try {
            signature.update(input, offset, length);
            int n = signature.sign(out, outOffset, SIGNATURE_BYTES);
            if (n != SIGNATURE_BYTES) {
                throw new IllegalStateException("ES256 signature of " + n + " bytes");
            }
        } catch (java.security.SignatureException e) {
            throw new IllegalStateException("ES256 signing failed: " + e.getMessage(), e);
        }
    }

    /** Signs {@code input} and returns the 64-byte signature. */
    public byte[] sign(byte[] input) {
        byte[] out = new byte[SIGNATURE_BYTES];
        sign(input, 0, input.length, out, 0);
        return out;
    }
}
