package io.shakengate.crypto.passport;

import java.util.List;
import java.util.Objects;

/**
 * The claims of a SHAKEN PASSporT (RFC 8588): attestation, one originating telephone number, one or more
 * destination numbers, issued-at time and the origination identifier. Numbers are canonical (digits, '*'
 * and '#' only; see {@link TelephoneNumbers}).
 *
 * @param attest   attestation level
 * @param origTn   canonical calling number
 * @param destTns  canonical called numbers, at least one
 * @param iat      issued-at, seconds since the epoch
 * @param origid   origination identifier (a UUID string)
 */
public record ShakenClaims(Attestation attest, String origTn, List<String> destTns, long iat, String origid) {
    /** Validates: numbers canonical, at least one destination, iat non-negative, origid present. */
    public ShakenClaims {
        Objects.requireNonNull(attest, "attest");
        requireTn(origTn, "origTn");
        if (destTns == null || destTns.isEmpty()) {
            throw new IllegalArgumentException("destTns: at least one destination number");
        }
        destTns = List.copyOf(destTns);
        for (String tn : destTns) {
            requireTn(tn, "destTns");
        }
        if (iat < 0) {
            throw new IllegalArgumentException("iat must not be negative: " + iat);
        }
        if (origid == null || origid.isEmpty()) {
            throw new IllegalArgumentException("origid must be present");
        }
    }

    private static void requireTn(String tn, String what) {
        if (tn == null || tn.isEmpty() || !TelephoneNumbers.isCanonical(tn)) {
            throw new IllegalArgumentException(what + " is not a canonical telephone number: " + tn);
        }
    }
}
