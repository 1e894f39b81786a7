package io.shakengate.crypto.passport;

import java.util.List;
import java.util.Map;

/**
 * A parsed PASSporT: its protected header and claims as received, the signing input exactly as received
 * (never re-serialised, RFC 8225 section 6) and the signature bytes. SHAKEN claims have typed accessors;
 * every other claim stays in {@link #claims()}.
 *
 * @param header       the protected header members
 * @param claims       every claim, as received
 * @param signingInput the ASCII bytes of {@code header "." payload} as received
 * @param signature    the decoded signature (64 bytes for a well-formed ES256 token)
 * @param token        the token as received
 */
public record Passport(Map<String, Object> header, Map<String, Object> claims, byte[] signingInput,
                       byte[] signature, String token) {

    /** Header {@code alg}, or null. */
    public String alg() {
        return string(header, "alg");
    }

    /** Header {@code typ}, or null. */
    public String typ() {
        return string(header, "typ");
    }

    /** Header {@code ppt}, or null. */
    public String ppt() {
        return string(header, "ppt");
    }

    /** Header {@code x5u}, or null. */
    public String x5u() {
        return string(header, "x5u");
    }

    /** Claim {@code attest} as written, or null. */
    public String attest() {
        return string(claims, "attest");
    }

    /** Claim {@code origid}, or null. */
    public String origid() {
        return string(claims, "origid");
    }

    /** Claim {@code iat}, or -1 when absent or not an integer. */
    public long iat() {
        return claims.get("iat") instanceof Long l ? l : -1;
    }

    /** {@code orig.tn}, or null. */
    public String origTn() {
        return claims.get("orig") instanceof Map<?, ?> orig && orig.get("tn") instanceof String tn ? tn : null;
    }

    /** {@code div.tn} of a div PASSporT (RFC 8946), or null. */
    public String divTn() {
        return claims.get("div") instanceof Map<?, ?> div && div.get("tn") instanceof String tn ? tn : null;
    }

    /** Claim {@code rcd} (RFC 9795) as an object, or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> rcd() {
        return claims.get("rcd") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    /**
     * {@code rph.auth} (RFC 8443: the Resource-Priority values the signer authorises, e.g. {@code ets.0}), or
     * null when absent, empty or not all strings.
     */
    public List<String> rphAuth() {
        return strings(claims.get("rph") instanceof Map<?, ?> rph ? rph.get("auth") : null);
    }

    /** {@code dest.tn} (every entry a String), or null. */
    @SuppressWarnings("unchecked")
    public List<String> destTns() {
        if (claims.get("dest") instanceof Map<?, ?> dest && dest.get("tn") instanceof List<?> tns) {
            for (Object o : tns) {
                if (!(o instanceof String)) {
                    return null;
                }
            }
            return (List<String>) tns;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        if (!(o instanceof List<?> l) || l.isEmpty()) {
            return null;
        }
        for (Object e : l) {
            if (!(e instanceof String)) {
                return null;
            }
        }
        return (List<String>) l;
    }

    private static String string(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }
}
