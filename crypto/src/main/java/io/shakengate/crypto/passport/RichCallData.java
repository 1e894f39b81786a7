package io.shakengate.crypto.passport;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rich Call Data as a PASSporT carries it (RFC 9795): the {@code rcd} claim ({@code nam}, the display name,
 * required; {@code apn}, an alternate presentation number; {@code icn}, an https URL of an icon; {@code jcd}, an
 * inline jCard, or {@code jcl}, an https URL of one, never both), the {@code crn} call reason, and the
 * {@code rcdi} integrity claim.
 *
 * <p>{@code rcdi} maps a JSON pointer into the {@code rcd} claim to a W3C Subresource Integrity value
 * ({@code sha256-<base64>}, also sha384 and sha512). Choices where the texts leave room (written down here
 * and in the README): a pointer names an element of {@code rcd} by its key, with or without the leading
 * {@code /rcd} ({@code /icn} and {@code /rcd/icn} are the same); only pointers to URL elements ({@code icn},
 * {@code jcl}) are checked, by fetching the URL and hashing the body as received; a digest for an inline
 * element is accepted as is (the PASSporT's signature already covers it).
 *
 * @param nam   the display name (may be empty)
 * @param apn   the alternate presentation number, or null
 * @param icn   the icon URL, or null
 * @param jcl   the jCard URL, or null
 * @param crn   the call reason, or null
 * @param rcdi  URL element name ({@code icn}, {@code jcl}) to its integrity value, for the elements it covers
 */
public record RichCallData(String nam, String apn, String icn, String jcl, String crn, Map<String, String> rcdi) {
    /** The URL elements of {@code rcd} whose content an {@code rcdi} digest covers. */
    public static final List<String> URL_ELEMENTS = List.of("icn", "jcl");

    /** Copies the map. */
    public RichCallData {
        rcdi = rcdi == null ? Map.of() : Map.copyOf(rcdi);
    }

    /** The Rich Call Data of {@code claims}, or null when there is no {@code rcd} claim or it is not well formed. */
    public static RichCallData of(Map<String, Object> claims) {
        if (claims == null || !wellFormed(claims)) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rcd = (Map<String, Object>) claims.get("rcd");
        Map<String, String> digests = new LinkedHashMap<>();
        if (claims.get("rcdi") instanceof Map<?, ?> rcdi) {
            for (Map.Entry<?, ?> e : rcdi.entrySet()) {
                String element = element((String) e.getKey());
                if (element != null && URL_ELEMENTS.contains(element) && rcd.get(element) instanceof String) {
                    digests.put(element, (String) e.getValue());
                }
            }
        }
        return new RichCallData((String) rcd.get("nam"), str(rcd.get("apn")), str(rcd.get("icn")),
                str(rcd.get("jcl")), str(claims.get("crn")), digests);
    }

    /**
     * Whether the {@code rcd}, {@code crn} and {@code rcdi} claims of {@code claims} are well formed: {@code rcd} an
     * object with a string {@code nam}; {@code apn}, {@code crn} strings; {@code icn}, {@code jcl} https URLs;
     * not both {@code jcd} and {@code jcl}; {@code rcdi} an object of pointer strings to SRI values.
     */
    public static boolean wellFormed(Map<String, Object> claims) {
        if (!(claims.get("rcd") instanceof Map<?, ?> rcd) || !(rcd.get("nam") instanceof String)) {
            return false;
        }
        if ((rcd.containsKey("apn") && !(rcd.get("apn") instanceof String))
                || (claims.containsKey("crn") && !(claims.get("crn") instanceof String))
                || (rcd.containsKey("jcd") && rcd.containsKey("jcl"))) {
            return false;
        }
        for (String u : URL_ELEMENTS) {
            if (rcd.containsKey(u) && !(rcd.get(u) instanceof String s && isHttps(s))) {
                return false;
            }
        }
        if (claims.containsKey("rcdi")) {
            if (!(claims.get("rcdi") instanceof Map<?, ?> rcdi)) {
                return false;
            }
            for (Map.Entry<?, ?> e : rcdi.entrySet()) {
                if (!(e.getKey() instanceof String k) || !k.startsWith("/") || !(e.getValue() instanceof String v)
                        || algorithm(v) == null) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code body} (the content fetched from the URL of {@code element}) matches its rcdi digest. */
    public boolean digestMatches(String element, byte[] body) {
        String expected = rcdi.get(element);
        return expected != null && expected.equals(integrity(algorithm(expected), body));
    }

    /** The SRI value of {@code body} with {@code algorithm} ({@code sha256}, {@code sha384}, {@code sha512}). */
    public static String integrity(String algorithm, byte[] body) {
        if (algorithm == null) {
            return null;
        }
        try {
            MessageDigest md = MessageDigest.getInstance(switch (algorithm) {
                case "sha256" -> "SHA-256";
                case "sha384" -> "SHA-384";
                default -> "SHA-512";
            });
            return algorithm + "-" + Base64.getEncoder().encodeToString(md.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SRI value of a UTF-8 string (for tables written by hand). */
    public static String integrity(String algorithm, String body) {
        return integrity(algorithm, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code sri} is an integrity value this class checks ({@code sha256|sha384|sha512-<base64>}). */
    public static boolean isIntegrity(String sri) {
        return sri != null && algorithm(sri) != null;
    }

    private static String algorithm(String sri) {
        int dash = sri.indexOf('-');
        if (dash < 0 || dash == sri.length() - 1) {
            return null;
        }
        String alg = sri.substring(0, dash);
        if (!alg.equals("sha256") && !alg.equals("sha384") && !alg.equals("sha512")) {
            return null;
        }
        try {
            Base64.getDecoder().decode(sri.substring(dash + 1));
            return alg;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code /icn} or {@code /rcd/icn} -> {@code icn}; null for other shapes. */
    private static String element(String pointer) {
        String p = pointer.startsWith("/rcd/") ? pointer.substring(4) : pointer;
        return p.length() > 1 && p.indexOf('/', 1) < 0 ? p.substring(1) : null;
    }

    private static boolean isHttps(String url) {
        try {
            URI u = new URI(url);
            return "https".equalsIgnoreCase(u.getScheme()) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String str(Object o) {
        return o instanceof String s ? s : null;
    }
}
