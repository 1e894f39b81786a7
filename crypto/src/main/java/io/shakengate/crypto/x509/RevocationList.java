package io.shakengate.crypto.x509;

import java.io.ByteArrayInputStream;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Loads the STI-PA style revocation list: a CRL (possibly indirect, with Certificate Issuer entry extensions
 * naming the STI-CA that issued each revoked certificate) signed by a CRL signer whose chain leads to the
 * STI-PA root. The CRL is accepted only if its signature verifies with the signer, the signer's chain
 * validates to the STI-PA root at {@code now}, and the CRL is current ({@code nextUpdate} not passed).
 */
public final class RevocationList {
    private RevocationList() {
    }

    /** The verified CRL, or an IllegalArgumentException saying why it is refused. */
    public static X509CRL load(byte[] der, List<X509Certificate> signerChain, X509Certificate stiPaRoot, Date now) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509CRL crl = (X509CRL) cf.generateCRL(new ByteArrayInputStream(der));
            X509Certificate signer = signerChain.get(0);
            crl.verify(signer.getPublicKey());
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(stiPaRoot, null)));
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(signerChain), params);
            if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                throw new IllegalArgumentException("CRL expired at " + crl.getNextUpdate());
            }
            return crl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("CRL refused: " + e.getMessage(), e);
        }
    }
}
