package io.shakengate.crypto;

import io.netty.buffer.Unpooled;
import io.shakengate.codec.IdentityHeader;
import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParser;
import io.shakengate.crypto.passport.TelephoneNumbers;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.Vectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 42 cases of the synthetic manifest (shared/spec/vectors/synthetic, copied into test resources): each
 * SIP INVITE is read with the codec, each of its Identity headers verified, and the outcome compared with
 * the manifest's expectation (result, SIP status, verstat, attestation). Certificates are served from the
 * manifest's x5u table; the clock is the manifest's.
 */
class SyntheticCasesTest {

    static byte[] bytes(String path) {
        return Vectors.bytes("synthetic/" + path);
    }

    static Map<String, Object> manifest() {
        return Vectors.syntheticManifest();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() {
        return (List<Map<String, Object>>) (List<?>) manifest().get("cases");
    }

    static List<X509Certificate> pem(byte[] pem) {
        return Vectors.pem(pem);
    }

    static PassportVerifier verifier(EcdsaProvider provider) {
        return Vectors.syntheticVerifier(provider, Vectors.syntheticClock());
    }

    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void shouldGiveTheManifestOutcome(Map<String, Object> c) {
        String id = (String) c.get("id");
        Map<String, Object> expect = (Map<String, Object>) c.get("expect");
        byte[] sip = bytes((String) c.get("sip"));
        SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
        assertTrue(parser.parse(sip, 0, sip.length, true) > 0, id + " parses");
        SipMessage m = parser.build(Unpooled.wrappedBuffer(sip), 0, sip.length);
        try {
            for (EcdsaProvider provider : EcdsaProvider.values()) {
                check(id, expect, verifyAll(verifier(provider), m));
            }
        } finally {
            m.release();
        }
    }

    private static void check(String id, Map<String, Object> expect, List<VerificationResult> results) {
        {
            String result = (String) expect.get("result");
            if ("policy".equals(result)) {
                // bad-no-date-header: this appliance verifies with iat alone (the digest's default)
                assertTrue(results.get(0).passed(), id + ": " + results.get(0));
                return;
            }
            VerificationResult best = results.stream().filter(VerificationResult::passed).findFirst()
                    .orElse(results.get(0));
            if ("valid".equals(result)) {
                assertTrue(best.passed(), id + ": " + results);
                assertEquals(expect.get("verstat"), best.verstat(), id);
                if (expect.get("attest") != null) {
                    assertEquals(expect.get("attest"), best.attest(), id);
                }
                assertEquals("1234", best.spc(), id);
            } else {
                assertFalse(best.passed(), id + " must fail");
                assertEquals(((Number) expect.get("sip_status")).intValue(), best.sipStatus(), id + ": " + best);
                assertEquals(expect.get("verstat"), best.verstat(), id + ": " + best);
                if (expect.get("reason_header") != null) {
                    assertEquals(expect.get("reason_header"), best.failure().reasonHeader(), id);
                }
            }
        }
    }

    static List<VerificationResult> verifyAll(PassportVerifier v, SipMessage m) {
        NameAddress caller = m.pAssertedIdentities().isEmpty() ? m.from() : m.pAssertedIdentities().get(0);
        String orig = TelephoneNumbers.canonicalize(caller.telephoneNumber());
        String dest = TelephoneNumbers.canonicalize(m.to().telephoneNumber());
        long date = m.date();
        List<VerificationResult> results = new ArrayList<>();
        List<IdentityHeader> ids = m.identities();
        List<String> dests = new ArrayList<>(List.of(dest));
        for (IdentityHeader id : ids) {
            if ("div".equals(id.ppt())) {
                VerificationResult div = v.verifyDiv(new PassportVerifier.Request(id.token(), id.info(),
                        id.param("alg"), id.ppt(), orig, List.of(dest), date)).join();
                if (div.passed()) {
                    dests.add(div.divTn());
                }
            }
        }
        if (ids.isEmpty()) {
            results.add(v.verify(new PassportVerifier.Request(null, null, null, null, orig, dests, date)).join());
        }
        for (IdentityHeader id : ids) {
            if (!"div".equals(id.ppt())) {
                results.add(v.verify(new PassportVerifier.Request(id.token(), id.info(), id.param("alg"), id.ppt(),
                        orig, dests, date)).join());
            }
        }
        return results;
    }
}
