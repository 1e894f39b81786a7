package io.shakengate.crypto.sign;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Signature;
import java.util.Locale;

/**
 * The JCA provider that does ES256 (ECDSA P-256 with SHA-256), chosen once per process: Amazon Corretto
 * Crypto Provider (AWS-LC) where its native library loads and passes its self-test, BouncyCastle otherwise.
 * The JDK's own SunEC is not used: measured on this project's machines it signs 40 times slower.
 *
 * <p>Signatures are produced and checked directly in the JWS form, the 64-byte {@code R || S} of IEEE P1363
 * (RFC 7518 section 3.4), with each provider's own algorithm name for it, so no DER transcoding is needed.
 *
 * <p>The choice can be forced with the system property {@code shakengate.crypto.provider} = {@code accp},
 * {@code bc} or {@code auto} (the default). Forcing {@code accp} where it cannot load is an error.
 */
public enum EcdsaProvider {
    /** Amazon Corretto Crypto Provider (AWS-LC). */
    ACCP("SHA256withECDSAinP1363Format"),
    /** BouncyCastle. */
    BOUNCY_CASTLE("SHA256withPLAIN-ECDSA");

    /** The system property that forces a provider. */
    public static final String PROPERTY = "shakengate.crypto.provider";

    private static final class Selected {
        static final EcdsaProvider INSTANCE = select(System.getProperty(PROPERTY, "auto"));
    }

    private static final class Bc {
        static final Provider INSTANCE = new BouncyCastleProvider();
    }

    private final String p1363Algorithm;

    EcdsaProvider(String p1363Algorithm) {
        this.p1363Algorithm = p1363Algorithm;
    }

    /** The provider this process uses. */
    public static EcdsaProvider selected() {
        return Selected.INSTANCE;
    }

    static EcdsaProvider select(String choice) {
        switch (choice.toLowerCase(Locale.ROOT)) {
            case "bc":
                return BOUNCY_CASTLE;
            case "accp":
                String why = ACCP.unavailableReason();
                if (why != null) {
                    throw new IllegalStateException(PROPERTY + "=accp, but it cannot be used: " + why);
                }
                return ACCP;
            case "auto":
                return ACCP.isAvailable() ? ACCP : BOUNCY_CASTLE;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, accp or bc, was: " + choice);
        }
    }

    /** True if this provider can be used in this process. */
    public boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Why this provider cannot be used here, or null if it can. */
    public String unavailableReason() {
        if (this == BOUNCY_CASTLE) {
            return null;
        }
        try {
            return Accp.unavailableReason();
        } catch (LinkageError e) {
            return "not on the class path: " + e;
        }
    }

    /** The JCA provider. */
    public Provider provider() {
        return this == ACCP ? Accp.provider() : Bc.INSTANCE;
    }

    /** A new, uninitialised Signature for ES256 in R||S form. */
    public Signature newSignature() {
        try {
            return Signature.getInstance(p1363Algorithm, provider());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(name() + " has no " + p1363Algorithm, e);
        }
    }

    /**
     * {@code key} as this provider's own key object. A provider handed another provider's key converts it on
     * every init; translating once (at load or reload) keeps that off the per-call path.
     */
    public <K extends java.security.Key> K translate(K key) {
        try {
            @SuppressWarnings("unchecked")
            K translated = (K) java.security.KeyFactory.getInstance("EC", provider()).translateKey(key);
            return translated;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(name() + " cannot use this EC key: " + e.getMessage(), e);
        }
    }

    /** A one-line description for the start-up log: which provider and which version. */
    public String describe() {
        Provider p = provider();
        return name() + " (" + p.getName() + " " + p.getVersionStr() + ")";
    }

    /** Isolates the references to ACCP's classes, so that BouncyCastle works without its jar. */
    private static final class Accp {
        static String unavailableReason() {
            com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider p =
                    com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = p.getLoadingError();
            if (error != null) {
                return "native library did not load: " + error;
            }
            try {
                p.assertHealthy();
            } catch (RuntimeException e) {
                return "self-test failed: " + e.getMessage();
            }
            return null;
        }

        static Provider provider() {
            return com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
        }
    }
}
