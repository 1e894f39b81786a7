package io.shakengate.crypto.passport;

import java.nio.charset.StandardCharsets;

/**
 * The compact form of RFC 8224 section 4.1.1 / RFC 8225 section 7: the Identity header carries only
 * {@code ..signature}, and the verifier rebuilds header and claims from the request (RFC 8224 section 5):
 * header {@code {"alg":"ES256",["ppt":...,]"typ":"passport","x5u":info}}, claims {@code dest} (from To),
 * {@code iat} (from Date) and {@code orig} (from P-Asserted-Identity or From), each identity a canonical
 * telephone number ({@code tn}) or a URI ({@code uri}), serialised as RFC 8225 section 9 requires.
 * SHAKEN never uses it (RFC 8588 section 3): the verifier refuses it unless configured otherwise.
 */
public final class CompactForm {
    /** An identity of the request: a canonical telephone number, or else a URI. */
    public record Identity(String tn, String uri) {
        /** A telephone number identity. */
        public static Identity tn(String tn) {
            return new Identity(tn, null);
        }

        /** A URI identity. */
        public static Identity uri(String uri) {
            return new Identity(null, uri);
        }
    }

    private CompactForm() {
    }

    /** The rebuilt signing input {@code BASE64URL(header) "." BASE64URL(claims)}. */
    public static byte[] signingInput(String x5u, String ppt, Identity orig, Identity dest, long iat) {
        StringBuilder h = new StringBuilder("{\"alg\":\"ES256\",");
        if (ppt != null) {
            h.append("\"ppt\":").append(quote(ppt)).append(',');
        }
        h.append("\"typ\":\"passport\",\"x5u\":").append(quote(x5u)).append('}');
        String dests = dest.tn() != null ? "{\"tn\":[" + quote(dest.tn()) + "]}" : "{\"uri\":[" + quote(dest.uri()) + "]}";
        String origs = orig.tn() != null ? "{\"tn\":" + quote(orig.tn()) + "}" : "{\"uri\":" + quote(orig.uri()) + "}";
        String claims = "{\"dest\":" + dests + ",\"iat\":" + iat + ",\"orig\":" + origs + "}";
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        byte[] cb = claims.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[Base64Url.encodedLength(hb.length) + 1 + Base64Url.encodedLength(cb.length)];
        int p = Base64Url.encode(hb, 0, hb.length, out, 0);
        out[p] = '.';
        Base64Url.encode(cb, 0, cb.length, out, p + 1);
        return out;
    }

    private static String quote(String s) {
        return Json.quote(new StringBuilder(s.length() + 2), s).toString();
    }
}
