package io.shakengate.proxy.identity;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.journal.DecisionLog;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.CallFacts;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.SigningIdentities;
import io.shakengate.proxy.stir.SigningIdentity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The signing side of the decision log: which identity signed each call (the rule's, the fallback), and the
 * refusals (no identity holds the number, a block) with the Call-ID, the rule and the outcome.
 */
class SigningDecisionLogTest {
    private final TestPki pki = new TestPki(System.currentTimeMillis());

    private static SigningIdentity identity(String name, TestPki.Issued ee, TnAuthList scope) {
        return new SigningIdentity(name, new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                ee.keys().getPrivate()), "https://certs.example.net/sti/" + name + ".pem"), List.of(ee.cert()), scope);
    }

    private static CallFacts call(String from, String callId) {
        return new CallFacts(CallFacts.Front.SIP, null, "out", null, from, List.of("12155550131"), null, null, -1,
                false, null, null, List.of(), callId);
    }

    @Test
    void eachDecisionSaysWhichIdentityOrWhyNot() throws Exception {
        SigningIdentity enterprise = identity("enterprise", pki.endEntity(TestPki.Flaw.NONE),
                TnAuthList.parseText("12025550100-12025550199"));
        SigningIdentity reseller = identity("reseller", pki.endEntity(TestPki.Flaw.NONE),
                TnAuthList.parseText("13035550100-13035550199"));
        AuthenticationPolicy policy = new AuthenticationPolicy(List.of(
                new AuthenticationPolicy.Rule("premium", null, List.of(), List.of("1215555013"),
                        AuthenticationPolicy.Action.BLOCK, null, new AuthenticationPolicy.More(null, null, null, false,
                        null)),
                new AuthenticationPolicy.Rule("enterprise", null, List.of("1202555"), List.of(),
                        AuthenticationPolicy.Action.ATTEST_A, null, new AuthenticationPolicy.More(null, null, null,
                        false, "enterprise"))), AuthenticationPolicy.Action.ATTEST_B);
        List<String> lines = new ArrayList<>();
        ProxyCounters counts = new ProxyCounters();
        AuthenticationService all = new AuthenticationService(new SigningIdentities(List.of(reseller, enterprise),
                "reseller"), policy, null, Family.DEFAULT).withDecisions(new DecisionLog(
                new DecisionLog.Settings(DecisionLog.Lines.ALL, 1000), lines::add));
        // the blocking rule matches a called prefix: every call here goes to 12155550131, so test it apart
        AuthenticationService signing = new AuthenticationService(new SigningIdentities(List.of(reseller, enterprise),
                "reseller"), new AuthenticationPolicy(List.of(
                new AuthenticationPolicy.Rule("enterprise", null, List.of("1202555"), List.of(),
                        AuthenticationPolicy.Action.ATTEST_A, null, new AuthenticationPolicy.More(null, null, null,
                        false, "enterprise"))), AuthenticationPolicy.Action.ATTEST_B), null, Family.DEFAULT)
                .withDecisions(new DecisionLog(new DecisionLog.Settings(DecisionLog.Lines.ALL, 1000), lines::add));
        signing.authenticate(call("12025550150", "c-enterprise"), counts, new byte[1][]);
        signing.authenticate(call("13035550150", "c-reseller"), counts, new byte[1][]);
        signing.authenticate(call("19995550150", "c-nobody"), counts, new byte[1][]);
        all.authenticate(call("12025550150", "c-blocked"), counts, new byte[1][]);
        assertEquals(4, lines.size(), lines.toString());
        Map<String, Object> e = JSONObjectUtils.parse(lines.get(0));
        assertEquals("c-enterprise", e.get("callId"));
        assertEquals("signed", e.get("outcome"));
        assertEquals("enterprise", e.get("identity"));
        assertEquals("enterprise", e.get("rule"));
        assertEquals("A", e.get("attestation"));
        Map<String, Object> r = JSONObjectUtils.parse(lines.get(1));
        assertEquals("reseller", r.get("identity"));
        assertEquals("default", r.get("rule"));
        Map<String, Object> n = JSONObjectUtils.parse(lines.get(2));
        assertEquals("out-of-scope", n.get("outcome"));
        assertEquals(null, n.get("identity"));
        Map<String, Object> b = JSONObjectUtils.parse(lines.get(3));
        assertEquals("blocked", b.get("outcome"));
        assertEquals("premium", b.get("rule"));

        List<String> failures = new ArrayList<>();
        AuthenticationService quiet = signing.withDecisions(new DecisionLog(DecisionLog.Settings.DEFAULT, failures::add));
        quiet.authenticate(call("12025550150", "c-ok"), counts, new byte[1][]);
        quiet.authenticate(call("19995550150", "c-refused"), counts, new byte[1][]);
        assertEquals(1, failures.size(), "by default only what was not signed: " + failures);
        assertEquals("c-refused", JSONObjectUtils.parse(failures.get(0)).get("callId"));
    }
}
