package io.shakengate.proxy.stir;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.testing.Secsipidx;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verification service on calls carrying the whole family, every token signed by secsipidx (an independent
 * signer, {@code -sign -header -payload}) with the test PKI: what passes, and each failure with its own counted
 * reason (a tampered rcdi digest, a div that does not chain, an rph for an unauthorised priority, a stale div),
 * unknown PASSporT types and calls over the limit counted, emergency calls never refused, 603+ as decided.
 */
class FamilyVerificationTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String ORIG = "12155550121";
    private static final String FIRST = "12155550131";
    private static final String NOW_TO = "12155550199";
    private static final String LOGO = "https://brand.shakengate.test/clinic.png";
    private static final byte[] LOGO_BYTES = "the clinic's logo".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued ee;
    static Path key;
    static PassportVerifier verifier;
    static ScheduledExecutorService timer;
    static long now;

    @BeforeAll
    static void setUp() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        key = Files.writeString(dir.resolve("ee.key.pem"), ee.privateKeyPem());
        verifier = TestServices.preloadedVerifier(pki, ee, X5U);
        timer = Executors.newSingleThreadScheduledExecutor();
        now = System.currentTimeMillis() / 1000;
    }

    @AfterAll
    static void tearDown() {
        timer.shutdownNow();
    }

    /** secsipidx's token for {@code ppt} and {@code payload}, as an Identity of the call. */
    private static VerificationFacts.Identity signed(String ppt, String payload) throws Exception {
        String[] out = Secsipidx.run("-sign", "-header", "{\"alg\":\"ES256\",\"ppt\":\"" + ppt
                + "\",\"typ\":\"passport\",\"x5u\":\"" + X5U + "\"}", "-payload", payload, "-k", key.toString());
        assertEquals("0", out[0], out[1]);
        String token = out[1].lines().filter(l -> l.chars().filter(c -> c == '.').count() == 2).findFirst()
                .orElseThrow().trim();
        return new VerificationFacts.Identity(token, X5U, "ES256", ppt);
    }

    private static VerificationFacts.Identity shaken(String dest) throws Exception {
        return signed("shaken", "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" + dest + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"origid\":\"0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f\"}");
    }

    private static VerificationFacts.Identity div(String dest, String original, long iat) throws Exception {
        return signed("div", "{\"dest\":{\"tn\":[\"" + dest + "\"]},\"div\":{\"tn\":\"" + original + "\"},\"iat\":"
                + iat + ",\"orig\":{\"tn\":\"" + ORIG + "\"}}");
    }

    private static VerificationFacts.Identity rcd(String dest, byte[] digestOf) throws Exception {
        return signed("rcd", "{\"dest\":{\"tn\":[\"" + dest + "\"]},\"iat\":" + now + ",\"orig\":{\"tn\":\"" + ORIG
                + "\"},\"rcd\":{\"icn\":\"" + LOGO + "\",\"nam\":\"Example Clinic\"},\"rcdi\":{\"/icn\":\""
                + RichCallData.integrity("sha256", digestOf) + "\"}}");
    }

    private static VerificationFacts.Identity rph(String auth) throws Exception {
        return signed("rph", "{\"dest\":{\"tn\":[\"" + NOW_TO + "\"]},\"iat\":" + now + ",\"orig\":{\"tn\":\"" + ORIG
                + "\"},\"rph\":{\"auth\":[\"" + auth + "\"]}}");
    }

    private static Family family(Set<String> priorities) {
        CertificateFetcher logo = url -> CompletableFuture.completedFuture(url.equals(LOGO)
                ? new CertificateFetcher.Response(200, LOGO_BYTES, null, null, null)
                : CertificateFetcher.Response.failed(404, "HTTP 404"));
        return new Family(Emergency.DEFAULT, new Blocking("RLN", "https://redress.shakengate.test/blocked", null,
                "blocks@shakengate.test", null), priorities, Branding.NONE, logo, true, Family.Presentation.BOTH);
    }

    private static VerificationService service(VerificationPolicy policy, Set<String> priorities, int max) {
        return new VerificationService(verifier, 1500, policy, Map.of(), null, max).withFamily(family(priorities));
    }

    private static Verification verify(VerificationService s, List<VerificationFacts.Identity> ids, String to,
                                       List<String> priorities, ProxyCounters counts) {
        return s.verify(new VerificationFacts("verify", ids, ORIG, List.of(to), -1, "sip:+" + to + "@x.test",
                priorities), timer, counts).join();
    }

    @Test
    void aDivertedBrandedPriorityCallPassesWithEveryPassport() throws Exception {
        ProxyCounters counts = new ProxyCounters();
        Verification v = verify(service(VerificationPolicy.defaults(), Set.of("ets"), 8),
                List.of(shaken(FIRST), div(NOW_TO, FIRST, now), rcd(FIRST, LOGO_BYTES), rph("ets.0")), NOW_TO,
                List.of("ets.0"), counts);
        assertTrue(v.passed(), v.toString());
        assertEquals("Example Clinic", v.rcd().nam());
        assertEquals(LOGO, v.rcd().icn());
        assertEquals(Verification.Priority.VERIFIED, v.priority());
        for (String ppt : List.of("shaken", "div", "rcd", "rph")) {
            assertTrue(v.first(ppt).result().passed(), ppt + ": " + v.first(ppt));
            assertEquals(1, counts.passports(ppt, null), ppt);
        }
    }

    @Test
    void eachFamilyFailureHasItsOwnCountedReason() throws Exception {
        ProxyCounters counts = new ProxyCounters();
        VerificationService s = service(VerificationPolicy.defaults(), Set.of("ets"), 8);

        Verification tampered = verify(s, List.of(shaken(NOW_TO), rcd(NOW_TO, "another logo".getBytes(
                StandardCharsets.US_ASCII))), NOW_TO, List.of(), counts);
        assertTrue(tampered.passed(), "the call itself still verifies");
        assertEquals(VerificationFailure.RCDI_MISMATCH, tampered.first("rcd").result().failure());
        assertNull(tampered.rcd(), "a tampered rcd is not shown");

        Verification unchained = verify(s, List.of(shaken(NOW_TO), div(NOW_TO, "12155550777", now)), NOW_TO,
                List.of(), counts);
        assertTrue(unchained.passed());
        assertEquals(VerificationFailure.DIV_UNCHAINED, unchained.first("div").result().failure());

        Verification priority = verify(s, List.of(shaken(NOW_TO), rph("ets.0")), NOW_TO, List.of("wps.0"), counts);
        assertEquals(VerificationFailure.RPH_UNAUTHORIZED, priority.first("rph").result().failure());
        assertEquals(Verification.Priority.FAILED, priority.priority());
        Verification namespace = verify(service(VerificationPolicy.defaults(), Set.of("wps"), 8),
                List.of(shaken(NOW_TO), rph("ets.0")), NOW_TO, List.of("ets.0"), counts);
        assertEquals(VerificationFailure.RPH_UNAUTHORIZED, namespace.first("rph").result().failure(),
                "signed, but ets is not a namespace this appliance authorises");

        Verification stale = verify(s, List.of(shaken(FIRST), div(NOW_TO, FIRST, now - 600)), NOW_TO, List.of(),
                counts);
        assertEquals(VerificationFailure.IAT_STALE, stale.first("div").result().failure());
        assertEquals(VerificationFailure.DEST_MISMATCH, stale.failure(),
                "without its div, the SHAKEN PASSporT names a number the call is not for");

        assertEquals(1, counts.passports("rcd", VerificationFailure.RCDI_MISMATCH));
        assertEquals(1, counts.passports("div", VerificationFailure.DIV_UNCHAINED));
        assertEquals(2, counts.passports("rph", VerificationFailure.RPH_UNAUTHORIZED));
        assertEquals(1, counts.passports("div", VerificationFailure.IAT_STALE));
    }

    /** A SHAKEN PASSporT carrying rcd claims and an rcdi digest of its logo (RFC 9795 section 5), by secsipidx. */
    private static VerificationFacts.Identity brandedShaken(String dest, byte[] digestOf) throws Exception {
        return signed("shaken", "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" + dest + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"origid\":\"0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f\","
                + "\"rcd\":{\"icn\":\"" + LOGO + "\",\"nam\":\"Example Clinic\"},\"rcdi\":{\"/icn\":\""
                + RichCallData.integrity("sha256", digestOf) + "\"}}");
    }

    @Test
    void rcdiDigestsInsideTheShakenPassportAreCheckedToo() throws Exception {
        ProxyCounters counts = new ProxyCounters();
        VerificationService s = service(VerificationPolicy.defaults(), Set.of(), 8);
        Verification good = verify(s, List.of(brandedShaken(NOW_TO, LOGO_BYTES)), NOW_TO, List.of(), counts);
        assertTrue(good.passed(), good.toString());
        assertEquals("Example Clinic", good.rcd().nam(), "the logo's digest matched: the name is shown");
        assertTrue(good.first("rcd").result().passed(), "the embedded rcd has its own entry");

        Verification tampered = verify(s, List.of(brandedShaken(NOW_TO, "another logo".getBytes(
                StandardCharsets.US_ASCII))), NOW_TO, List.of(), counts);
        assertTrue(tampered.passed(), "the SHAKEN PASSporT still verifies: " + tampered);
        assertEquals("TN-Validation-Passed", tampered.verstat());
        assertEquals(VerificationFailure.RCDI_MISMATCH, tampered.first("rcd").result().failure());
        assertNull(tampered.rcd(), "rcd claims whose logo does not match their digest are not shown");
        assertEquals(1, counts.passports("rcd", VerificationFailure.RCDI_MISMATCH));
    }

    @Test
    void aChainThatDoesNotReachTheCalledNumberDoesNotPass() throws Exception {
        // a SHAKEN PASSporT for X and a real div X -> Y, offered for a call to Z beside a forged div Y -> Z
        String y = "12155550188";
        VerificationFacts.Identity forged = div(NOW_TO, y, now);
        String t = forged.token();
        forged = new VerificationFacts.Identity(t.substring(0, t.length() - 4)
                + (t.endsWith("AAAA") ? "BBBB" : "AAAA"), X5U, "ES256", "div");
        ProxyCounters counts = new ProxyCounters();
        Verification v = verify(service(VerificationPolicy.defaults(), Set.of(), 8),
                List.of(shaken(FIRST), div(y, FIRST, now), forged), NOW_TO, List.of(), counts);
        assertFalse(v.passed(), v.toString());
        assertEquals(VerificationFailure.DEST_MISMATCH, v.failure());
        assertEquals("No-TN-Validation", v.verstat());
        assertEquals(1, counts.passports("div", VerificationFailure.SIGNATURE_INVALID));
    }

    @Test
    void unknownTypesAndCallsOverTheLimitAreCounted() throws Exception {
        ProxyCounters counts = new ProxyCounters();
        VerificationFacts.Identity odd = signed("xyz", "{\"dest\":{\"tn\":[\"" + NOW_TO + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"}}");
        Verification v = verify(service(VerificationPolicy.defaults(), Set.of(), 2),
                List.of(odd, shaken(NOW_TO), rph("ets.0")), NOW_TO, List.of(), counts);
        assertTrue(v.passed(), "the unknown type is ignored: " + v);
        assertEquals(1, counts.get(ProxyCounters.Event.PPT_UNKNOWN));
        assertEquals(1, counts.get(ProxyCounters.Event.PASSPORTS_OVER_LIMIT));
        assertNull(v.first("rph"), "the third Identity is past maxPerCall 2");
    }

    @Test
    void anEmergencyCallIsNeverRefusedAndABlockIs603Plus() throws Exception {
        VerificationPolicy strict = VerificationPolicy.defaults();
        for (VerificationPolicy.OutcomeClass c : VerificationPolicy.OutcomeClass.values()) {
            if (c != VerificationPolicy.OutcomeClass.PASSED) {
                strict = strict.with(c, VerificationPolicy.Action.REJECT);
            }
        }
        ProxyCounters counts = new ProxyCounters();
        VerificationService s = service(strict, Set.of(), 8);
        List<VerificationFacts.Identity> wrong = new ArrayList<>(List.of(shaken(FIRST)));
        Verification emergency = s.verify(new VerificationFacts("verify", wrong, ORIG, List.of("911"), -1,
                "sip:911@psap.test", List.of()), timer, counts).join();
        assertFalse(emergency.passed());
        assertTrue(emergency.emergency());
        assertNull(emergency.refusal(), "never refused");
        assertEquals(VerificationPolicy.Action.FORWARD_VERSTAT, emergency.action());
        Verification sos = s.verify(new VerificationFacts("verify", wrong, ORIG, List.of(), -1,
                "urn:service:sos.police", List.of()), timer, counts).join();
        assertNull(sos.refusal(), "urn:service:sos and its sub-services");
        Verification ordinary = verify(s, wrong, NOW_TO, List.of(), counts);
        assertEquals(438, ordinary.refusal().status());
        assertEquals(2, counts.get(ProxyCounters.Event.EMERGENCY_NOT_REFUSED));

        Verification blocked = verify(service(VerificationPolicy.defaults().with(
                VerificationPolicy.OutcomeClass.NO_IDENTITY, VerificationPolicy.Action.BLOCK_603), Set.of(), 8),
                List.of(), NOW_TO, List.of(), counts);
        assertEquals(603, blocked.refusal().status());
        assertEquals("Network Blocked", blocked.refusal().phrase());
        assertEquals(List.of(new Refusal.Header("Reason", "SIP;cause=603;text=\"v=analytics1;url=https://redress"
                + ".shakengate.test/blocked;email=blocks@shakengate.test\";location=RLN")), blocked.refusal().headers());
        assertEquals(1, counts.get(ProxyCounters.Event.BLOCKED_ANALYTICS));
    }
}
