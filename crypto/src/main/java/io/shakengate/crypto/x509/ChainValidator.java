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
 * roots, the end entity's profile (P-256 key, digitalSignature, not a CA), a TNAuthList, and the revocation
 * list when one is configured.
 *
 * <p>Two kinds of end entity pass. A service provider's certificate: a TNAuthList with an SPC, and a CN
 * {@code SHAKEN <SPC>}, when the CN is of that form, that agrees with it. A delegate certificate (RFC 9060,
 * ATIS-1000092): a TNAuthList of numbers and ranges only, whose numbers the verifier then checks the
 * PASSporT's {@code orig} against ({@link Validated#scope()}). For both, every certificate of the path that
 * carries a TNAuthList must encompass the TNAuthList of the certificate it issued (RFC 9060 section 8; see
 * {@link TnAuthList#encompasses}: an SPC encompasses any list, numbers only the numbers inside them), else
 * {@link VerificationFailure#CERT_DELEGATE_SCOPE}. The path length is PKIX's: each CA's
 * {@code pathLenConstraint} holds (a delegate issued by a service provider's CA under an STI-CA
 * intermediate needs that intermediate to allow one CA below it).
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
    public record Validated(X509Certificate endEntity, String spc, String subject, TnAuthList scope) {
        /** The signer of {@code endEntity}, with its subject formatted from the certificate. */
        public Validated(X509Certificate endEntity, String spc) {
            this(endEntity, spc, endEntity.getSubjectX500Principal().getName(), null);
        }

        /**
         * Whether the certificate may sign for {@code tn}: any number for a service provider's certificate
         * (scope null), those of its TNAuthList for a delegate certificate.
         */
        public boolean covers(String tn) {
            return scope == null || scope.covers(tn);
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
        if (tn == null) {
            return fail(VerificationFailure.CERT_NO_TNAUTHLIST);
        }
        String spc = tn.delegate() ? null : tn.spcs().get(0);
        String cn = commonName(ee);
        if (spc != null && cn != null && cn.startsWith("SHAKEN ") && !cn.substring(7).trim().equals(spc)) {
            return fail(VerificationFailure.CERT_PROFILE_VIOLATION);
        }
        TnAuthList below = tn;
        for (int i = 1; i < chain.size(); i++) {
            TnAuthList issuer = TnAuthList.of(chain.get(i));
            if (issuer == null) {
                if (chain.get(i).getExtensionValue(TnAuthList.OID) != null) {
                    return fail(VerificationFailure.CERT_DELEGATE_SCOPE);
                }
                continue;
            }
            if (!issuer.encompasses(below)) {
                return fail(VerificationFailure.CERT_DELEGATE_SCOPE);
            }
            below = issuer;
        }
        if (crl != null) {
            for (X509Certificate c : chain) {
                if (crl.isRevoked(c)) {
                    return fail(VerificationFailure.CERT_REVOKED);
                }
            }
        }
        return new Result(new Validated(ee, spc, ee.getSubjectX500Principal().getName(), tn.delegate() ? tn : null),
                null);
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
