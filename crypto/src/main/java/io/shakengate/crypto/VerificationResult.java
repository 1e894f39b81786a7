package io.shakengate.crypto;

/**
 * What verifying one Identity header found: passed (with attestation, origid, the signer's SPC and
 * certificate subject) or failed with one {@link VerificationFailure}, which carries the SIP consequence.
 *
 * @param failure     null when it passed
 * @param attest      the attestation (A, B, C) when it passed
 * @param origid      the origination identifier when it passed
 * @param spc         the signer's Service Provider Code when the certificate was validated
 * @param certSubject the signer certificate's subject when the certificate was validated
 * @param divTn       for a verified div PASSporT, the original called number it vouches for
 * @param claims      the verified PASSporT's claims (for its rcd, rph or div content), or null when it failed
 */
public record VerificationResult(VerificationFailure failure, String attest, String origid, String spc,
                                 String certSubject, String divTn, java.util.Map<String, Object> claims) {

    /** A result without claims. */
    public VerificationResult(VerificationFailure failure, String attest, String origid, String spc,
                              String certSubject, String divTn) {
        this(failure, attest, origid, spc, certSubject, divTn, null);
    }

    /** This result with {@code failure} instead (a check after the signature, e.g. rcdi, failed). */
    public VerificationResult failing(VerificationFailure f) {
        return new VerificationResult(f, null, null, spc, certSubject, null, null);
    }

    /** A failure. */
    public static VerificationResult failed(VerificationFailure failure) {
        return new VerificationResult(failure, null, null, null, null, null);
    }

    /** True if the PASSporT verified and covers the call's numbers. */
    public boolean passed() {
        return failure == null;
    }

    /** The verstat value for the call. */
    public String verstat() {
        return failure == null ? VerificationFailure.VERSTAT_PASSED : failure.verstat();
    }

    /** The SIP status of the failure (RFC 8224), or 0 when it passed. */
    public int sipStatus() {
        return failure == null ? 0 : failure.sipStatus();
    }
}
