package io.shakengate.crypto;

/**
 * Every reason a PASSporT fails verification, in the order of the verifier's check list (ATIS-1000074 as
 * in the standards digest section 7.2), each with a stable id, the RFC 8224 status it maps to and the
 * verstat value it gives (ATIS-1000082: certificate and signature failures are TN-Validation-Failed,
 * everything else No-TN-Validation). Ids are stable: never renumber, only append.
 */
public enum VerificationFailure {
    /** No Identity header (policy decides whether that is a 428). */
    NO_IDENTITY(1, 428, "Use Identity Header", false,
            "No Identity header."),
    /** Not the full form, not three segments, or a segment that is not base64url. */
    PASSPORT_MALFORMED(2, 438, "Invalid Identity Header", false,
            "The PASSporT is not a compact JWS of three base64url segments."),
    /** The compact form {@code ..signature}, which SHAKEN does not allow. */
    PASSPORT_COMPACT_FORM(3, 438, "Invalid Identity Header", false,
            "Compact form is not supported."),
    /** The {@code ppt} parameter is absent or not "shaken". */
    PPT_UNSUPPORTED(4, 438, "Invalid Identity Header", false,
            "The 'ppt' parameter of the Identity header is missing or not 'shaken'."),
    /** No {@code info} parameter. */
    INFO_MISSING(5, 436, "Bad Identity Info", false,
            "The 'info' parameter of the Identity header is missing."),
    /** The {@code info}/{@code x5u} URL breaks the rules (https only, ports, no userinfo, no private hosts). */
    INFO_URL_REFUSED(6, 436, "Bad Identity Info", false,
            "The 'info' URL is not an acceptable https URL."),
    /** The protected header is not valid JSON or lacks alg, typ, x5u or ppt. */
    HEADER_MALFORMED(7, 436, "Bad Identity Info", false,
            "The PASSporT header is malformed or lacks 'alg', 'typ', 'x5u' or 'ppt'."),
    /** {@code x5u} differs from the {@code info} URL. */
    X5U_INFO_MISMATCH(8, 436, "Bad Identity Info", false,
            "'x5u' from PASSporT header does not match the 'info' parameter."),
    /** {@code typ} is not "passport". */
    TYP_INVALID(9, 437, "Unsupported Credential", false,
            "'typ' from PASSporT header is not 'passport'."),
    /** {@code alg} (header or parameter) is not ES256: none, HS256 and all others are refused. */
    ALG_UNSUPPORTED(10, 437, "Unsupported Credential", false,
            "'alg' is not 'ES256'."),
    /** The header's {@code ppt} is not "shaken". */
    PPT_CLAIM_INVALID(11, 438, "Invalid Identity Header", false,
            "'ppt' from PASSporT header is not 'shaken'."),
    /** The payload is not valid JSON, or a required claim is missing or of the wrong type. */
    CLAIMS_MALFORMED(12, 438, "Invalid Identity Header", false,
            "The PASSporT payload is malformed or lacks 'attest', 'dest', 'iat', 'orig' or 'origid'."),
    /** {@code orig.tn} differs from the calling number of the request. */
    ORIG_MISMATCH(13, 438, "Invalid Identity Header", false,
            "'orig' from PASSporT payload does not match the calling number."),
    /** {@code dest.tn} does not contain the called number of the request. */
    DEST_MISMATCH(14, 438, "Invalid Identity Header", false,
            "'dest' from PASSporT payload does not match the called number."),
    /** The SIP Date is outside the freshness window. */
    DATE_STALE(15, 403, "Stale Date", false,
            "The Date of the request is not fresh."),
    /** The certificate could not be fetched (network, status, size, time, content). */
    CERT_FETCH_FAILED(16, 436, "Bad Identity Info", false,
            "The certificate could not be retrieved from the 'info' URL."),
    /** The chain does not validate to a trusted STI-CA (untrusted, missing intermediate, bad signature). */
    CERT_UNTRUSTED(17, 437, "Unsupported Credential", true,
            "The certificate chain does not validate to a trusted STI-CA."),
    /** A certificate of the chain is expired. */
    CERT_EXPIRED(18, 437, "Unsupported Credential", true,
            "A certificate of the chain has expired."),
    /** A certificate of the chain is not yet valid. */
    CERT_NOT_YET_VALID(19, 437, "Unsupported Credential", true,
            "A certificate of the chain is not yet valid."),
    /** The end-entity certificate has no TNAuthList (or no SPC in it). */
    CERT_NO_TNAUTHLIST(20, 437, "Unsupported Credential", true,
            "The certificate has no TNAuthList with an SPC."),
    /** Key usage, basic constraints or key type do not fit the SHAKEN profile (P-256, digitalSignature). */
    CERT_PROFILE_VIOLATION(21, 437, "Unsupported Credential", true,
            "The certificate does not fit the SHAKEN certificate profile."),
    /** A certificate of the chain is revoked. */
    CERT_REVOKED(22, 437, "Unsupported Credential", true,
            "A certificate of the chain is revoked."),
    /** The ES256 signature does not verify with the end-entity key. */
    SIGNATURE_INVALID(23, 438, "Invalid Identity Header", true,
            "Signature validation failed."),
    /** {@code iat} is older than the freshness window. */
    IAT_STALE(24, 403, "Stale Date", false,
            "'iat' from PASSporT payload is not fresh."),
    /** {@code iat} is further in the future than the freshness window allows. */
    IAT_IN_FUTURE(25, 403, "Stale Date", false,
            "'iat' from PASSporT payload is in the future."),
    /** {@code attest} is not A, B or C. */
    ATTEST_INVALID(26, 438, "Invalid Identity Header", false,
            "'attest' from PASSporT payload is not A, B or C."),
    /** A PASSporT from the CPS is sealed (a JWE, RFC 8816) but does not open with this appliance's key. */
    PASSPORT_UNDECRYPTABLE(27, 438, "Invalid Identity Header", false,
            "The PASSporT from the CPS could not be decrypted with this appliance's key."),
    /** An {@code rcdi} digest (RFC 9795) does not match the content fetched from the URL it covers. */
    RCDI_MISMATCH(28, 438, "Invalid Identity Header", false,
            "An 'rcdi' digest does not match the Rich Call Data content it covers."),
    /** Content an {@code rcdi} digest covers (icon, jCard) could not be fetched to check it. */
    RCD_CONTENT_UNAVAILABLE(29, 436, "Bad Identity Info", false,
            "The Rich Call Data content named by 'rcdi' could not be retrieved."),
    /** A verified div PASSporT whose {@code div} is not the destination of the PASSporT it follows (RFC 8946). */
    DIV_UNCHAINED(30, 438, "Invalid Identity Header", false,
            "'div' from a div PASSporT does not link to the destination of a verified PASSporT of the call."),
    /** The request's Resource-Priority is not authorised by its rph PASSporT or by policy (RFC 8443). */
    RPH_UNAUTHORIZED(31, 438, "Invalid Identity Header", false,
            "The Resource-Priority of the request is not authorised by its 'rph' PASSporT or by policy."),
    /**
     * A certificate of the chain whose TNAuthList is not encompassed by its issuer's (RFC 9060 section 8), or
     * an issuer's TNAuthList that does not parse.
     */
    CERT_DELEGATE_SCOPE(32, 437, "Unsupported Credential", true,
            "A certificate's TNAuthList is not within the TNAuthList of the certificate that issued it."),
    /**
     * The PASSporT's {@code orig} is not among the numbers of the signer's delegate certificate (RFC 9060):
     * the credential has no authority over the calling number (RFC 8224 section 6.2.2 answers 437).
     */
    ORIG_OUTSIDE_CERT_SCOPE(33, 437, "Unsupported Credential", true,
            "The calling number is not among the numbers of the signer's delegate certificate.");

    /** verstat when the PASSporT verified and covers the number. */
    public static final String VERSTAT_PASSED = "TN-Validation-Passed";
    /** verstat when verification was attempted and failed (certificate or signature). */
    public static final String VERSTAT_FAILED = "TN-Validation-Failed";
    /** verstat when no verification was possible. */
    public static final String VERSTAT_NONE = "No-TN-Validation";

    static {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (VerificationFailure f : values()) {
            if (!ids.add(f.id)) {
                throw new ExceptionInInitializerError("duplicate VerificationFailure id " + f.id);
            }
        }
    }

    private final int id;
    private final int sipStatus;
    private final String reasonPhrase;
    private final boolean validationFailed;
    private final String description;

    VerificationFailure(int id, int sipStatus, String reasonPhrase, boolean validationFailed, String description) {
        this.id = id;
        this.sipStatus = sipStatus;
        this.reasonPhrase = reasonPhrase;
        this.validationFailed = validationFailed;
        this.description = description;
    }

    /** One sentence on what failed, as the HTTP verification API's {@code reasondesc} gives it (ATIS-1000082). */
    public String description() {
        return description;
    }

    /** The stable id, for counters. */
    public int id() {
        return id;
    }

    /** The RFC 8224 status (403, 428, 436, 437, 438). */
    public int sipStatus() {
        return sipStatus;
    }

    /** The reason phrase of {@link #sipStatus()}. */
    public String reasonPhrase() {
        return reasonPhrase;
    }

    /** The verstat value the call gets. */
    public String verstat() {
        return validationFailed ? VERSTAT_FAILED : VERSTAT_NONE;
    }

    /** The RFC 9410 Reason header value: {@code STIR;cause=438;text="Invalid Identity Header"}. */
    public String reasonHeader() {
        return "STIR;cause=" + sipStatus + ";text=\"" + reasonPhrase + "\"";
    }
}
