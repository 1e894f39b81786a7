package io.shakengate.crypto.x509;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

/**
 * A demonstration SHAKEN PKI made on the spot: an STI-CA root, an intermediate and a service provider's
 * end-entity certificate with a TNAuthList for one SPC, all P-256 and valid for a year. For the embedded
 * default and for tests; never for production traffic.
 */
public final class DemoPki {
    private static final long DAY = 86_400_000L;

    private final KeyPair rootKeys;
    private final KeyPair intermediateKeys;
    private final KeyPair signerKeys;
    private final X509Certificate root;
    private final X509Certificate intermediate;
    private final X509Certificate signer;

    /** A new PKI whose end entity holds SPC {@code spc}. */
    public DemoPki(String spc) {
        long now = System.currentTimeMillis();
        rootKeys = p256();
        intermediateKeys = p256();
        signerKeys = p256();
        root = cert("CN=ShakenGate Demo STI-CA Root", rootKeys, "CN=ShakenGate Demo STI-CA Root", rootKeys, true,
                null, now);
        intermediate = cert("CN=ShakenGate Demo STI-CA Root", rootKeys, "CN=ShakenGate Demo STI-CA Intermediate",
                intermediateKeys, true, null, now);
        signer = cert("CN=ShakenGate Demo STI-CA Intermediate", intermediateKeys, "CN=SHAKEN " + spc
                + ",O=ShakenGate Demo Carrier,C=US", signerKeys, false, spc, now);
    }

    /**
     * A TLS server certificate for {@code 127.0.0.1} and {@code localhost}, issued by the demo root, with its
     * key (for the demo's HTTPS certificate repository).
     */
    public java.util.Map.Entry<X509Certificate, KeyPair> tlsServer() {
        KeyPair keys = p256();
        long now = System.currentTimeMillis();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(
                    "CN=ShakenGate Demo STI-CA Root"), new BigInteger(64, new SecureRandom()), new Date(now - DAY),
                    new Date(now + 365 * DAY), new X500Name("CN=localhost"), keys.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(
                    new org.bouncycastle.asn1.x509.GeneralName[] {
                        new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.iPAddress,
                                "127.0.0.1"),
                        new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.dNSName,
                                "localhost")}));
            X509Certificate c = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(rootKeys.getPrivate())));
            return java.util.Map.entry(c, keys);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the demo TLS certificate: " + e.getMessage(), e);
        }
    }

    /** The trust anchor. */
    public X509Certificate root() {
        return root;
    }

    /** The signer's chain, end entity first. */
    public List<X509Certificate> chain() {
        return List.of(signer, intermediate);
    }

    /** The signer's key pair. */
    public KeyPair signerKeys() {
        return signerKeys;
    }

    /** The chain as PEM, end entity first (what is served at x5u). */
    public String chainPem() {
        return pem(signer) + pem(intermediate);
    }

    /** The root as PEM. */
    public String rootPem() {
        return pem(root);
    }

    /** The signer's private key as PKCS#8 PEM. */
    public String signerKeyPem() {
        return Pem.armour("PRIVATE KEY", signerKeys.getPrivate().getEncoded());
    }

    /**
     * The files a configuration names, as {@link #write} leaves them: the signer's key and chain, the root (trust
     * anchor and x5u fetch trust), and a TLS certificate for 127.0.0.1 by the root with its key (a certificate
     * repository's HTTPS).
     */
    public record Written(java.nio.file.Path signerKey, java.nio.file.Path chain, java.nio.file.Path root,
                          java.nio.file.Path tlsCertificate, java.nio.file.Path tlsKey) {
    }

    /** Writes this PKI's files into {@code dir} (signer-key.pem, chain.pem, root.pem, tls-cert.pem, tls-key.pem). */
    public Written write(java.nio.file.Path dir) throws java.io.IOException {
        java.util.Map.Entry<X509Certificate, KeyPair> tls = tlsServer();
        try {
            return new Written(java.nio.file.Files.writeString(dir.resolve("signer-key.pem"), signerKeyPem()),
                    java.nio.file.Files.writeString(dir.resolve("chain.pem"), chainPem()),
                    java.nio.file.Files.writeString(dir.resolve("root.pem"), rootPem()),
                    java.nio.file.Files.writeString(dir.resolve("tls-cert.pem"), Pem.armour("CERTIFICATE",
                            tls.getKey().getEncoded())),
                    java.nio.file.Files.writeString(dir.resolve("tls-key.pem"), Pem.armour("PRIVATE KEY",
                            tls.getValue().getPrivate().getEncoded())));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate cert(String issuer, KeyPair issuerKeys, String subject, KeyPair keys, boolean ca,
                                        String spc, long now) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    new BigInteger(64, new SecureRandom()), new Date(now - DAY), new Date(now + 365 * DAY),
                    new X500Name(subject), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (spc != null) {
                b.addExtension(new ASN1ObjectIdentifier(TnAuthList.OID), false,
                        new DERSequence(new DERTaggedObject(true, 0, new DERIA5String(spc))));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the demo PKI: " + e.getMessage(), e);
        }
    }

    private static KeyPair p256() {
        return CertificateRequests.newKeyPair();
    }

    private static String pem(X509Certificate c) {
        try {
            return Pem.armour("CERTIFICATE", c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
