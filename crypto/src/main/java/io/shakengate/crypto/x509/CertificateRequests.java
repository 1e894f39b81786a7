package io.shakengate.crypto.x509;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.regex.Pattern;

/**
 * What an STI-CA expects from a service provider: a P-256 key, and a PKCS#10 certificate signing request
 * whose subject is {@code CN=SHAKEN <SPC>} (with the organisation and country given) and which asks for
 * the TNAuthList extension with that SPC and for key usage digitalSignature (ATIS-1000080).
 */
public final class CertificateRequests {
    private static final Pattern SPC = Pattern.compile("[0-9A-Za-z]{4,5}");

    private CertificateRequests() {
    }

    /** A new P-256 key pair. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#8 PEM of {@code keys}' private key. */
    public static String privateKeyPem(KeyPair keys) {
        return Pem.armour("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** SPKI PEM of {@code keys}' public key. */
    public static String publicKeyPem(KeyPair keys) {
        return Pem.armour("PUBLIC KEY", keys.getPublic().getEncoded());
    }

    /**
     * A CSR for SPC {@code spc} (4 or 5 letters and digits, as the STI-PA assigns), signed with {@code keys}.
     *
     * @param organization the O of the subject
     * @param country      the two-letter C of the subject
     */
    public static String csrPem(KeyPair keys, String spc, String organization, String country) {
        if (spc == null || !SPC.matcher(spc).matches()) {
            throw new IllegalArgumentException("SPC must be 4 or 5 letters and digits, was: " + spc);
        }
        if (country == null || country.length() != 2) {
            throw new IllegalArgumentException("country must be a two-letter code, was: " + country);
        }
        try {
            X500Name subject = new X500Name("C=" + country + ",O=" + organization.replace(",", "\\,")
                    + ",CN=SHAKEN " + spc);
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(new ASN1ObjectIdentifier(TnAuthList.OID), false,
                    new DERSequence(new DERTaggedObject(true, 0, new DERIA5String(spc))));
            ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return Pem.armour("CERTIFICATE REQUEST", csr.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the CSR: " + e.getMessage(), e);
        }
    }

    /**
     * A CSR (DER) for {@code subject} (an X.500 name, e.g. {@code CN=SHAKEN 1234,O=Carrier,C=US}) asking for
     * TNAuthList {@code list} (an SPC or a delegate's numbers) and key usage digitalSignature, signed with
     * {@code keys}: what an ACME order for an STI certificate finalizes with (RFC 9447, ATIS-1000080).
     */
    public static byte[] csrDer(KeyPair keys, String subject, TnAuthList list) {
        try {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(new ASN1ObjectIdentifier(TnAuthList.OID), false, list.encoded());
            ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the CSR: " + e.getMessage(), e);
        }
    }
}
