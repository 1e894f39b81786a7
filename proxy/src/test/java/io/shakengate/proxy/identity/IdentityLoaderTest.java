package io.shakengate.proxy.identity;

import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each way an identity on disk can be wrong is refused with a message naming the identity and the fault. */
class IdentityLoaderTest {
    @TempDir
    Path dir;

    private final TestPki pki = new TestPki(System.currentTimeMillis());

    private IdentityConfig identity(String name, TestPki.Issued keyOf, String chainPem, TnAuthList scope)
            throws IOException {
        Path key = Files.writeString(dir.resolve(name + ".key"), keyOf.privateKeyPem());
        Path chain = chainPem == null ? null : Files.writeString(dir.resolve(name + ".pem"), chainPem);
        return new IdentityConfig(name, key, chain, "https://certs.example.net/sti/" + name + ".pem", scope, null);
    }

    private String refusal(IdentityConfig c) {
        return assertThrows(IOException.class, () -> IdentityLoader.load(c, EcdsaProvider.selected(),
                System.currentTimeMillis())).getMessage();
    }

    @Test
    void aGoodIdentityLoadsAndADelegateTakesItsScopeFromTheChain() throws Exception {
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued ca = pki.serviceProviderCa("CN=CA,C=US", TnAuthList.ofSpc("1234"));
        TestPki.Issued d = pki.delegate(ca, "CN=D,C=US", TnAuthList.parseText("12025550100-12025550199"));
        SigningIdentities ids = IdentityLoader.load(List.of(identity("carrier", ee, ee.certPem()
                + pki.intermediate.certPem(), null), identity("d", d, d.certPem() + ca.certPem(), null)), null,
                EcdsaProvider.selected(), System.currentTimeMillis());
        assertEquals("carrier", ids.defaultIdentity().name());
        assertTrue(ids.get("d").covers("12025550150") && !ids.get("d").covers("12025550200"));
        assertTrue(ids.get("carrier").covers("19995550100"));
        assertEquals(List.of("/sti/carrier.pem", "/sti/d.pem"), List.copyOf(ids.servedChains().keySet()));
    }

    @Test
    void eachFaultIsNamed() throws Exception {
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued other = pki.endEntity(TestPki.Flaw.NONE);
        String m = refusal(identity("wrong-key", other, ee.certPem(), null));
        assertTrue(m.contains("signing identity 'wrong-key'") && m.contains("for another key"), m);
        TestPki.Issued expired = pki.endEntity(TestPki.Flaw.EXPIRED);
        m = refusal(identity("old", expired, expired.certPem(), null));
        assertTrue(m.contains("'old'") && m.contains("expired on"), m);
        TestPki.Issued early = pki.endEntity(TestPki.Flaw.NOT_YET_VALID);
        m = refusal(identity("early", early, early.certPem(), null));
        assertTrue(m.contains("'early'") && m.contains("not valid before"), m);
        TestPki.Issued noTn = pki.endEntity(TestPki.Flaw.NO_TNAUTHLIST);
        m = refusal(identity("plain", noTn, noTn.certPem(), null));
        assertTrue(m.contains("no TNAuthList"), m);
        m = refusal(identity("garbage", ee, "not a certificate", null));
        assertTrue(m.contains("'garbage'") && m.contains("chain"), m);
        m = refusal(new IdentityConfig("missing", dir.resolve("nope.key"), null, "https://x.example/a.pem", null, null));
        assertTrue(m.contains("'missing'") && m.contains("no such file"), m);
        TestPki.Issued ca = pki.serviceProviderCa("CN=CA,C=US", TnAuthList.ofSpc("1234"));
        TestPki.Issued d = pki.delegate(ca, "CN=D,C=US", TnAuthList.parseText("12025550100-12025550199"));
        m = refusal(identity("wide", d, d.certPem() + ca.certPem(), TnAuthList.parseText("12025550100-12025550299")));
        assertTrue(m.contains("'wide'") && m.contains("not within the certificate's numbers"), m);
    }

    @Test
    void theConfigurationRefusesWhatCannotWork() {
        String base = "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:5070\", role: sign, nextHop: \"127.0.0.1:5080\" }\n";
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse("signing:\n"
                + "  identities:\n    - { name: a, key: /k, x5u: \"https://c.example/a.pem\" }\n"
                + "  rules:\n    - { name: r, action: attest-a, identity: b }\n" + base, "test.yaml"));
        assertTrue(e.getMessage().contains("line 5") && e.getMessage().contains("'b'"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse("signing:\n  key: /k\n"
                + "  identities:\n    - { name: a, key: /k, x5u: \"https://c.example/a.pem\" }\n" + base, "test.yaml"));
        assertTrue(e.getMessage().contains("do not go together"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse("signing:\n  identities:\n"
                + "    - { name: a, key: /k, x5u: \"https://c.example/a.pem\", scope: \"1999-1000\" }\n" + base,
                "test.yaml"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("scope"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse("signing:\n  identities:\n"
                + "    - { name: a, key: /k, x5u: \"https://c.example/a.pem\" }\n"
                + "    - { name: a, key: /k2, x5u: \"https://c.example/b.pem\" }\n" + base, "test.yaml"));
        assertTrue(e.getMessage().contains("second signing identity named 'a'"), e.getMessage());
    }
}
