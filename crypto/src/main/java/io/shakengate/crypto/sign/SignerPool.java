package io.shakengate.crypto.sign;

import java.security.PrivateKey;

/**
 * Gives each thread its own {@link Es256Signer} for one key: signing on an event loop takes no lock and
 * shares no state. A key change (reload) makes a new pool; the old one is dropped with its signers.
 */
public final class SignerPool {
    private final EcdsaProvider provider;
    private final PrivateKey key;
    private final ThreadLocal<Es256Signer> signers;

    /** A pool for {@code key}, signing with {@code provider}; fails now if the provider refuses the key. */
    public SignerPool(EcdsaProvider provider, PrivateKey key) {
        PrivateKey own = provider.translate(key);
        this.provider = provider;
        this.key = own;
        new Es256Signer(provider, own);
        this.signers = ThreadLocal.withInitial(() -> new Es256Signer(provider, own));
    }

    /** This thread's signer. */
    public Es256Signer signer() {
        return signers.get();
    }

    /** The provider the signers use. */
    public EcdsaProvider provider() {
        return provider;
    }

    /** The key the signers use. */
    public PrivateKey key() {
        return key;
    }
}
