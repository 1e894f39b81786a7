package io.shakengate.proxy.cps;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.http.StirApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPS server's rules, one refusal per way a publish can be wrong (expired, replayed, tampered, wrongly
 * published, stale, too many), retrieval of what was stored, and retention: what was published is gone when
 * its time is up. The clock is a variable, so retention is tested without sleeping.
 */
class CpsServerTest {
    static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    static final String AUD = "cps.shakengate.test";
    static final String ORIG = "12155550121";
    static final String DEST = "12155550131";

    final AtomicLong now = new AtomicLong(System.currentTimeMillis() / 1000);
    TestPki pki;
    PassportSigner signer;
    MemoryCpsStore store;
    CpsServer cps;

    @BeforeEach
    void setUp() {
        pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        store = new MemoryCpsStore(4, 100, () -> now.get() * 1000);
        cps = new CpsServer(new CpsTokens.Verifier(AUD, 60, 60, PassportVerifier.Config.DEFAULT,
                TestServices.preloadedCache(pki, ee, X5U), new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(),
                null)), null), now::get, EcdsaProvider.selected()), store, new CpsServer.Limits(4, 15, 60), now::get);
    }

    String passport(String orig, String dest, long iat) {
        String identity = signer.identity(new ShakenClaims(Attestation.A, orig, List.of(dest), iat,
                UUID.randomUUID().toString()));
        return identity.substring(0, identity.indexOf(';'));
    }

    static String body(String... passports) {
        StringBuilder b = new StringBuilder("{\"passports\":[");
        for (int i = 0; i < passports.length; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(passports[i]).append('"');
        }
        return b.append("]}").toString();
    }

    String token(CpsTokens.Action action, String spc, long iat, long exp, String jti, List<String> passports) {
        return CpsTokens.create(signer.pool().signer(), X5U, new CpsTokens.Claims(action, AUD, spc, spc, ORIG,
                List.of(DEST), iat, exp, jti, passports == null ? null : CpsTokens.digest(passports)));
    }

    CpsServer.Answer publish(String spc, String token, String body) {
        return cps.handle(true, spc, DEST, ORIG, token == null ? null : "Bearer " + token,
                body.getBytes(StandardCharsets.UTF_8)).join();
    }

    CpsServer.Answer retrieve() {
        return cps.handle(false, TestPki.SPC, DEST, ORIG, "Bearer " + token(CpsTokens.Action.RETRIEVE, TestPki.SPC,
                now.get(), 0, UUID.randomUUID().toString(), null), new byte[0]).join();
    }

    static void refused(CpsServer.Answer r, int status, String reason) {
        assertEquals(status, r.status(), r.json());
        assertTrue(r.json().contains("\"reason\":\"" + reason + "\""), r.json());
    }

    @Test
    void publishRetrieveAndRetention() {
        String p = passport(ORIG, DEST, now.get());
        String jti = UUID.randomUUID().toString();
        CpsServer.Answer r = publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, now.get(),
                now.get() + 10, jti, List.of(p)), body(p));
        assertEquals(201, r.status(), r.json());
        assertEquals("{\"passports\":[\"" + p + "\"]}", retrieve().json());
        now.addAndGet(11); // past the token's exp (10 s, below the 15 s retention)
        assertEquals("{\"passports\":[]}", retrieve().json());
        store.sweep();
        assertEquals(0, store.calls(), "the sweep dropped the expired call");
    }

    @Test
    void eachWrongPublishHasItsOwnReason() {
        long t = now.get();
        String p = passport(ORIG, DEST, t);
        String jti = UUID.randomUUID().toString();
        String good = token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15, jti, List.of(p));
        assertEquals(201, publish(TestPki.SPC, good, body(p)).status());
        // replayed: the same token again
        refused(publish(TestPki.SPC, good, body(p)), 409, "replayed");
        // tampered: the body changed after the token was signed
        String other = passport(ORIG, DEST, t);
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), List.of(p)), body(other)), 403, "digest_mismatch");
        // tampered: a PASSporT whose signature was altered still matches its token, so the CPS stores it;
        // the verifier refuses it (OutOfBandSippTest and the verifier's tests): here, a body that is no PASSporT
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), List.of("not.a.passport")), body("not.a.passport")), 400,
                "passport_malformed");
        // wrongly published: a PASSporT for other numbers than the path's
        String elsewhere = passport("13125550100", DEST, t);
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), List.of(elsewhere)), body(elsewhere)), 403, "passport_mismatch");
        // wrongly published: a token naming another SPC than the signer's certificate
        refused(publish("5678", token(CpsTokens.Action.PUBLISH, "5678", t, t + 15, UUID.randomUUID().toString(),
                List.of(p)), body(p)), 403, "issuer_mismatch");
        // wrongly published: a retrieve token used to publish, no token at all
        refused(publish(TestPki.SPC, token(CpsTokens.Action.RETRIEVE, TestPki.SPC, t, 0, UUID.randomUUID().toString(),
                null), body(p)), 401, "claims_malformed");
        refused(publish(TestPki.SPC, null, body(p)), 401, "token_missing");
        // expired: exp passed (iat still fresh), and a PASSporT whose iat is not fresh
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t - 20, t - 5,
                UUID.randomUUID().toString(), List.of(p)), body(p)), 401, "token_expired");
        String old = passport(ORIG, DEST, t - 120);
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), List.of(old)), body(old)), 400, "passport_stale");
        // retention asked beyond 60 s
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 61,
                UUID.randomUUID().toString(), List.of(p)), body(p)), 400, "retention_too_long");
        // bounds: five PASSporTs in one publish, then the per-call limit (4) across publishes
        List<String> five = List.of(p, p, p, p, p);
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), five), body(five.toArray(String[]::new))), 413, "too_many");
        for (int i = 0; i < 3; i++) {
            String q = passport(ORIG, DEST, t);
            assertEquals(201, publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                    UUID.randomUUID().toString(), List.of(q)), body(q)).status());
        }
        String fifth = passport(ORIG, DEST, t);
        refused(publish(TestPki.SPC, token(CpsTokens.Action.PUBLISH, TestPki.SPC, t, t + 15,
                UUID.randomUUID().toString(), List.of(fifth)), body(fifth)), 413, "too_many");
        // malformed bodies
        refused(publish(TestPki.SPC, good, "{\"passports\":[]}"), 400, "body_malformed");
        refused(publish(TestPki.SPC, good, "[1]"), 400, "body_malformed");
        assertEquals(1, cps.refusals(CpsTokens.Refusal.REPLAYED));
        assertEquals(2, cps.refusals(CpsTokens.Refusal.TOO_MANY));
        assertEquals(4, retrieve().json().split("\\.", -1).length / 2, "four PASSporTs held for the call");
    }
}
