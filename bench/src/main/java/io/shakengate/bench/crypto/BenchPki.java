package io.shakengate.bench.crypto;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;

/** A root, an intermediate and an end entity (TNAuthList SPC 1234) for the verify benchmark. */
final class BenchPki {
    final X509Certificate root;
    final List<X509Certificate> chain;

    BenchPki(KeyPair eeKeys) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair rootKeys = g.generateKeyPair();
        KeyPair interKeys = g.generateKeyPair();
        root = cert("CN=Bench Root", "CN=Bench Root", rootKeys, rootKeys, true, null);
        X509Certificate inter = cert("CN=Bench Root", "CN=Bench Intermediate", interKeys, rootKeys, true, null);
        X509Certificate ee = cert("CN=Bench Intermediate", "CN=SHAKEN 1234", eeKeys, interKeys, false, "1234");
        chain = List.of(ee, inter);
    }

    private static X509Certificate cert(String issuer, String subject, KeyPair keys, KeyPair signer, boolean ca,
                                        String spc) throws Exception {
        long now = System.currentTimeMillis();
        var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now ^ subject.hashCode()),
                new Date(now - 86_400_000L), new Date(now + 86_400_000L * 30), new X500Name(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true,
                new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        if (spc != null) {
            b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.26"), false,
                    new DERSequence(new DERTaggedObject(true, 0, new DERIA5String(spc))));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
