package io.shakengate.crypto.passport;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our strict parser against Nimbus on fuzzed tokens: every segment that decodes is accepted or refused
 * as JSON by both parsers alike, with the same content; and where both accept a whole token they read the
 * same claims. (Nimbus also checks header values while parsing, alg present, x5u a URI; ours leaves those
 * to the verifier's ordered checks, so token-level refusals may differ by design.)
 */
class ParserAgreementTest {
    private static final String SEED = PassportSignerTest.resource("valid-attest-a.jwt");

    @Test
    void shouldAgreeWithNimbusOnTenThousandFuzzedTokens() {
        Random random = new Random(8225);
        PassportParser ours = new PassportParser(PassportParser.DEFAULT_MAX_TOKEN_BYTES);
        int bothAccepted = 0;
        int jsonCompared = 0;
        for (int i = 0; i < 10_000; i++) {
            String token = mutate(random);
            PassportParser.Result r = ours.parse(token);
            Map<String, Object> nimbus = nimbusClaims(token);
            if (r.failure() == null && nimbus != null) {
                assertEquals(normalize(nimbus), normalize(r.passport().claims()), token);
                bothAccepted++;
            }
            // JSON: every segment that decodes is judged the same way by both parsers
            for (String segment : token.split("\\.", -1)) {
                byte[] json;
                try {
                    json = Base64.getUrlDecoder().decode(segment);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                Map<String, Object> mine = Json.parseObject(json, 0, json.length);
                Map<String, Object> theirs;
                try {
                    theirs = JSONObjectUtils.parse(new String(json, StandardCharsets.UTF_8));
                } catch (java.text.ParseException | RuntimeException e) {
                    theirs = null;
                }
                assertEquals(theirs != null, mine != null, "JSON acceptance differs on: "
                        + new String(json, StandardCharsets.UTF_8));
                if (mine != null) {
                    assertEquals(normalize(theirs), normalize(mine));
                    jsonCompared++;
                }
            }
        }
        assertTrue(bothAccepted > 1000, "the fuzzer kept enough valid tokens: " + bothAccepted);
        assertTrue(jsonCompared > 2000, "compared " + jsonCompared);
    }

    private static Map<String, Object> nimbusClaims(String token) {
        try {
            JWSObject jws = JWSObject.parse(token);
            return JSONObjectUtils.parse(jws.getPayload().toString());
        } catch (java.text.ParseException | RuntimeException e) {
            return null;
        }
    }

    /** Numbers compare by value (Nimbus reads integers as Long, so do we; doubles as Double). */
    private static String normalize(Map<String, Object> m) {
        return new java.util.TreeMap<>(m).toString();
    }

    private static String mutate(Random random) {
        String[] parts = SEED.split("\\.");
        switch (random.nextInt(6)) {
            case 0 -> {
                char[] c = SEED.toCharArray();
                String alphabet = "ABCxyz019-_.=+/ ";
                c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                return new String(c);
            }
            case 1 -> {
                return SEED.substring(0, random.nextInt(SEED.length()));
            }
            case 2 -> {
                String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                char[] c = json.toCharArray();
                String alphabet = "{}[]\",:0123456789 abc\\";
                c[random.nextInt(c.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                return parts[0] + "." + b64(new String(c)) + "." + parts[2];
            }
            case 3 -> {
                String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
                String[] variants = {json.replace(",\"iat\"", ", \"iat\""), json.replace("}", ",\"attest\":\"B\"}"),
                    json.replace("\"A\"", "\"\\u0041\""), json.replace("1767225600", "1767225600.5"),
                    json.replace("{\"attest\"", "{\"x\":[1,2,{\"y\":null}],\"attest\""), json.replace("\"", "'")};
                return parts[0] + "." + b64(variants[random.nextInt(variants.length)]) + "." + parts[2];
            }
            case 4 -> {
                return ".." + parts[2];
            }
            default -> {
                return SEED;
            }
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
