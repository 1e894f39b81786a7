package io.shakengate.crypto.testing;

import io.shakengate.crypto.x509.TnAuthList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SHAKEN test PKI made in the tests: an STI-CA root, an intermediate, and end-entity certificates with a
 * TNAuthList (SPC 1234, CN "SHAKEN 1234"), valid around a given time; each variant breaks one rule.
 */
public final class TestPki {
    /** The SPC of the good end entity. */
    public static final String SPC = "1234";
    private static final long DAY = 86_400_000L;
    private static final AtomicLong SERIAL = new AtomicLong(1000);

    /** A certificate with its key. */
    public record Issued(X509Certificate cert, KeyPair keys) {
        /** PKCS#8 PEM of the private key. */
        public String privateKeyPem() {
            return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        /** SPKI PEM of the public key. */
        public String publicKeyPem() {
            return pem("PUBLIC KEY", keys.getPublic().getEncoded());
        }

        /** PEM of the certificate. */
        public String certPem() {
            try {
                return pem("CERTIFICATE", cert.getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** What an end entity should get wrong. */
    public enum Flaw {
        /** nothing */
        NONE,
        /** notAfter in the past */
        EXPIRED,
        /** notBefore in the future */
        NOT_YET_VALID,
        /** no TNAuthList extension */
        NO_TNAUTHLIST,
        /** key usage keyCertSign only, no digitalSignature */
        WRONG_KEY_USAGE,
        /** a P-384 key */
        WRONG_CURVE
    }

    public final long now;
    public final Issued root;
    public final Issued intermediate;

    /** A root and an intermediate valid around {@code nowMillis}. */
    public TestPki(long nowMillis) {
        this.now = nowMillis;
        this.root = issue("CN=Test SHAKEN Root", null, p256(), true, -DAY * 365, DAY * 3650, null, true);
        this.intermediate = issue("CN=Test SHAKEN Intermediate", root, p256(), true, -DAY * 365, DAY * 3650, null,
                true);
    }

    /** An end entity issued by the intermediate with {@code flaw}. */
    public Issued endEntity(Flaw flaw) {
        long from = flaw == Flaw.NOT_YET_VALID ? DAY : -DAY * 30;
        long to = flaw == Flaw.EXPIRED ? -DAY : DAY * 365;
        KeyPair keys = flaw == Flaw.WRONG_CURVE ? keyPair("secp384r1") : p256();
        return issue("CN=SHAKEN " + SPC + ",O=Test Carrier,C=US", intermediate, keys, false, from, to,
                flaw == Flaw.NO_TNAUTHLIST ? null : TnAuthList.ofSpc(SPC), flaw != Flaw.WRONG_KEY_USAGE);
    }

    /**
     * A service provider's CA certificate (RFC 9060, ATIS-1000092: the SP's delegate-issuing CA) issued by the
     * intermediate, with TNAuthList {@code list} (an SPC, or numbers to constrain its delegates).
     */
    public Issued serviceProviderCa(String subject, TnAuthList list) {
        return issue(subject, intermediate, p256(), true, -DAY * 30, DAY * 365, list, true);
    }

    /** A delegate end entity issued by {@code issuer} with the numbers and ranges of {@code list}. */
    public Issued delegate(Issued issuer, String subject, TnAuthList list) {
        return issue(subject, issuer, p256(), false, -DAY * 30, DAY * 365, list, true);
    }

    /**
     * An end entity for someone else's {@code key} (what a CA issues for a CSR), issued by the intermediate,
     * valid from {@code fromMillis} to {@code toMillis}, with TNAuthList {@code list}.
     */
    public X509Certificate issueFor(java.security.PublicKey key, String subject, TnAuthList list, long fromMillis,
                                    long toMillis) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(intermediate.cert.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(fromMillis), new Date(toMillis),
                    new X500Name(subject), key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(new ASN1ObjectIdentifier(TnAuthList.OID), false, list.encoded());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(intermediate.keys)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain of a delegate: end entity, its issuer, the intermediate. */
    public List<X509Certificate> delegateChain(Issued delegate, Issued issuer) {
        return List.of(delegate.cert, issuer.cert, intermediate.cert);
    }

    /** A TLS server certificate for 127.0.0.1 and localhost, issued by the root (for loopback HTTPS tests). */
    public Issued tlsServer() {
        try {
            KeyPair keys = p256();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(root.cert.getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - DAY), new Date(now + DAY * 30),
                    new X500Name("CN=localhost"), keys.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(
                    new org.bouncycastle.asn1.x509.GeneralName[] {
                        new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.iPAddress,
                                "127.0.0.1"),
                        new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.dNSName,
                                "localhost")}));
            return new Issued(new JcaX509CertificateConverter().getCertificate(b.build(signer(root.keys))), keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client context trusting this PKI's root (for HTTPS to {@link #tlsServer()} certificates). */
    public javax.net.ssl.SSLContext clientTls() {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root.cert);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CRL by the intermediate revoking {@code revoked}. */
    public X509CRL crlRevoking(X509Certificate revoked) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(
                    intermediate.cert.getSubjectX500Principal().getEncoded()), new Date(now - DAY));
            b.setNextUpdate(new Date(now + DAY * 7));
            b.addCRLEntry(revoked.getSerialNumber(), new Date(now - DAY), CRLReason.keyCompromise);
            X509CRLHolder holder = b.build(signer(intermediate.keys));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(String subject, Issued issuer, KeyPair keys, boolean ca, long fromOffset, long toOffset,
                         TnAuthList list, boolean digitalSignature) {
        try {
            X500Name issuerName = issuer == null ? new X500Name(subject)
                    : X500Name.getInstance(issuer.cert.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now + fromOffset), new Date(now + toOffset),
                    new X500Name(subject), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            int ku = ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : digitalSignature ? KeyUsage.digitalSignature : KeyUsage.keyCertSign;
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            if (list != null) {
                b.addExtension(new ASN1ObjectIdentifier(TnAuthList.OID), false, list.encoded());
            }
            ContentSigner signer = signer(issuer == null ? keys : issuer.keys);
            return new Issued(new JcaX509CertificateConverter().getCertificate(b.build(signer)), keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContentSigner signer(KeyPair keys) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    /** A fresh P-256 key pair. */
    public static KeyPair p256() {
        return keyPair("secp256r1");
    }

    private static KeyPair keyPair(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain (end entity, intermediate) as a certificate list. */
    public List<X509Certificate> chain(Issued ee) {
        return List.of(ee.cert, intermediate.cert);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
