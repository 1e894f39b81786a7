package io.shakengate.crypto.x509;

import io.shakengate.crypto.VerificationFailure;

import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Validates a SHAKEN certificate chain (end entity first) at a given time, reporting the first problem as a
 * {@link VerificationFailure}: time validity of every certificate, a PKIX path to one of the trusted STI-CA
 * roots, the end entity's profile (P-256 key, digitalSignature, not a CA), a TNAuthList with an SPC and a
 * CN {@code SHAKEN <SPC>} that agrees with it, and the revocation list when one is configured.
 *
 * <p>Immutable and thread-safe; the trust anchors are a snapshot (a reload builds a new validator).
 */
public final class ChainValidator {
    private final Set<TrustAnchor> anchors;
    private final X509CRL crl;

    /** A validator trusting {@code anchors}, checking revocation against {@code crl} (verified; may be null). */
    public ChainValidator(Set<TrustAnchor> anchors, X509CRL crl) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no trusted STI-CA root");
        }
        this.anchors = Set.copyOf(anchors);
        this.crl = crl;
    }

    /**
     * What a chain that passed says about its signer; {@code subject} is the end entity's subject DN as text
     * (RFC 2253), formatted once here rather than for every PASSporT the chain verifies.
     */
    public record Validated(X509Certificate endEntity, String spc, String subject) {
        /** The signer of {@code endEntity}, with its subject formatted from the certificate. */
        public Validated(X509Certificate endEntity, String spc) {
            this(endEntity, spc, endEntity.getSubjectX500Principal().getName());
        }
    }

    /** The outcome: validated, or the failure. */
    public record Result(Validated validated, VerificationFailure failure) {
    }

    /** Validates {@code chain} (end entity first) at {@code now}. */
    public Result validate(List<X509Certificate> chain, Date now) {
        if (chain.isEmpty()) {
            return fail(VerificationFailure.CERT_UNTRUSTED);
        }
        for (X509Certificate c : chain) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return fail(VerificationFailure.CERT_EXPIRED);
            } catch (CertificateNotYetValidException e) {
                return fail(VerificationFailure.CERT_NOT_YET_VALID);
            }
        }
        X509Certificate ee = chain.get(0);
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        } catch (CertPathValidatorException e) {
            return fail(VerificationFailure.CERT_UNTRUSTED);
        } catch (java.security.GeneralSecurityException e) {
            return fail(VerificationFailure.CERT_UNTRUSTED);
        }
        if (!(ee.getPublicKey() instanceof ECPublicKey key)
                || key.getParams().getCurve().getField().getFieldSize() != 256 || ee.getBasicConstraints() >= 0
                || (ee.getKeyUsage() != null && !ee.getKeyUsage()[0])) {
            return fail(VerificationFailure.CERT_PROFILE_VIOLATION);
        }
        TnAuthList tn = TnAuthList.of(ee);
        if (tn == null || tn.spcs().isEmpty()) {
            return fail(VerificationFailure.CERT_NO_TNAUTHLIST);
        }
        String spc = tn.spcs().get(0);
        String cn = commonName(ee);
        if (cn != null && cn.startsWith("SHAKEN ") && !cn.substring(7).trim().equals(spc)) {
            return fail(VerificationFailure.CERT_PROFILE_VIOLATION);
        }
        if (crl != null) {
            for (X509Certificate c : chain) {
                if (crl.isRevoked(c)) {
                    return fail(VerificationFailure.CERT_REVOKED);
                }
            }
        }
        return new Result(new Validated(ee, spc), null);
    }

    private static Result fail(VerificationFailure f) {
        return new Result(null, f);
    }

    private static String commonName(X509Certificate c) {
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }
}
