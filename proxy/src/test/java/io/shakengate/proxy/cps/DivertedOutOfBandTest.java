package io.shakengate.proxy.cps;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.Secsipidx;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.http.HttpApiServer;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Authentication;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.CallFacts;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.Retrieval;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationFacts;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A diverted call that crosses TDM (RFC 8946 section 6): out of band, a verifier looks the call up under the
 * number it is for now, while the SHAKEN PASSporT names the number first called. The sign side publishes the
 * SHAKEN PASSporT under the first number and, under the new one, a div-o carrying it in {@code opt}; the verify
 * side, finding the div-o, verifies it as a div and the nested PASSporT for the first number. A real CPS
 * (embedded store, over HTTP) between them; div-o tokens made by secsipidx verify too, and a div-o whose nested
 * PASSporT does not verify, or does not name the number diverted from, fails with that PASSporT's reason.
 */
class DivertedOutOfBandTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String AUDIENCE = "cps.shakengate.test";
    private static final String ORIG = "12155550121";
    private static final String FIRST = "12155550131";
    private static final String NOW_TO = "12155550199";

    @TempDir
    Path dir;

    TestPki pki;
    TestPki.Issued ee;
    PassportSigner signer;
    EventLoopGroup group;
    ExecutorService http;
    ScheduledExecutorService timer;
    CpsClient client;
    HttpApiServer api;

    @BeforeEach
    void setUp() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        Transports transports = Transports.detect();
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        http = Executors.newFixedThreadPool(2);
        timer = Executors.newSingleThreadScheduledExecutor();
        CpsServer server = new CpsServer(new CpsTokens.Verifier(AUDIENCE, 60, 60, PassportVerifier.Config.DEFAULT,
                TestServices.preloadedCache(pki, ee, X5U), new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(),
                null)), null), () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected()),
                new MemoryCpsStore(16, 1000, System::currentTimeMillis), new CpsServer.Limits(16, 15, 60),
                () -> System.currentTimeMillis() / 1000);
        api = new HttpApiServer(group, transports, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
                new HttpApiServer.Limits(List::of, 16384, 30), () -> null, server, new ProxyCounters());
        client = new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(
                URI.create("http://127.0.0.1:" + api.address().getPort()), AUDIENCE)), TestPki.SPC, 15, 1000), http,
                () -> System.currentTimeMillis() / 1000);
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        http.shutdownNow();
        timer.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private VerificationService verifying() {
        return new VerificationService(TestServices.preloadedVerifier(pki, ee, X5U), 1500,
                VerificationPolicy.defaults(), Map.of(), new VerificationService.OutOfBand(client,
                Retrieval.WHEN_NO_IDENTITY, signer, null), VerificationService.DEFAULT_MAX_PASSPORTS);
    }

    /** The call to {@code to}, without Identity, verified with what the CPS holds for it. */
    private Verification verifyWithoutIdentity(String to, ProxyCounters counts) {
        return verifying().verify(new VerificationFacts("verify", List.of(), ORIG, List.of(to), -1, null, List.of()),
                timer, counts).join();
    }

    @Test
    void aDivertedCallDeliveredOutOfBandIsFoundUnderItsNewNumber() throws Exception {
        AuthenticationService signing = new AuthenticationService(signer, new AuthenticationPolicy(List.of(
                new AuthenticationPolicy.Rule("tdm-bound", null, List.of(), List.of(), AuthenticationPolicy.Action.ATTEST_A,
                        AuthenticationPolicy.Delivery.OUT_OF_BAND)), AuthenticationPolicy.Action.ATTEST_C), client,
                Family.DEFAULT);
        ProxyCounters a = new ProxyCounters();
        Authentication signed = signing.authenticate(new CallFacts(CallFacts.Front.SIP, null, "out", null, ORIG,
                List.of(NOW_TO), null, null, -1, false, null, FIRST, List.of()), a, new byte[1][]);
        assertEquals(Authentication.Outcome.SIGNED, signed.outcome());
        assertEquals(1, a.get(ProxyCounters.Event.SIGNED_DIV_O));
        for (int i = 0; i < 300 && a.get(ProxyCounters.Event.OOB_PUBLISHED) < 2; i++) {
            Thread.sleep(10);
        }
        assertEquals(2, a.get(ProxyCounters.Event.OOB_PUBLISHED), "the SHAKEN PASSporT and the div-o: " + a);

        ProxyCounters b = new ProxyCounters();
        Verification v = verifyWithoutIdentity(NOW_TO, b);
        assertTrue(v.passed(), v + " " + b);
        assertEquals("TN-Validation-Passed", v.verstat());
        assertEquals(1, b.passports("div-o", null), "the div-o counted as verified");
        assertEquals(1, b.passports("shaken", null));
        // the SHAKEN PASSporT alone, under the number first called, still serves a lookup for that number
        assertTrue(verifyWithoutIdentity(FIRST, new ProxyCounters()).passed());
    }

    private String secsipidx(String ppt, String payload) throws Exception {
        Path key = Files.writeString(dir.resolve("ee.key.pem"), ee.privateKeyPem());
        String[] out = Secsipidx.run("-sign", "-header", "{\"alg\":\"ES256\",\"ppt\":\"" + ppt
                + "\",\"typ\":\"passport\",\"x5u\":\"" + X5U + "\"}", "-payload", payload, "-k", key.toString());
        assertEquals("0", out[0], out[1]);
        return out[1].lines().filter(l -> l.chars().filter(c -> c == '.').count() == 2).findFirst().orElseThrow()
                .trim();
    }

    private String shaken(String dest) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        return secsipidx("shaken", "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" + dest + "\"]},\"iat\":" + now
                + ",\"orig\":{\"tn\":\"" + ORIG + "\"},\"origid\":\"4437f26d-8b43-4b4e-9e7d-3f3a1b7a5c01\"}");
    }

    private String divO(String div, String opt) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        return secsipidx("div-o", "{\"dest\":{\"tn\":[\"" + NOW_TO + "\"]},\"div\":{\"tn\":\"" + div + "\"},\"iat\":"
                + now + ",\"opt\":\"" + opt + "\",\"orig\":{\"tn\":\"" + ORIG + "\"}}");
    }

    private Verification published(String token) throws Exception {
        assertTrue(client.publish(signer, ORIG, NOW_TO, token).get(5, TimeUnit.SECONDS), "published");
        ProxyCounters counts = new ProxyCounters();
        return verifyWithoutIdentity(NOW_TO, counts);
    }

    @Test
    void secsipidxDivOTokensVerifyAndBadNestingFails() throws Exception {
        Verification good = published(divO(FIRST, shaken(FIRST)));
        assertTrue(good.passed(), good.toString());
        tearDown();
        setUp();

        // the nested PASSporT names another number than the one the div-o says the call was diverted from
        Verification elsewhere = published(divO(FIRST, shaken("12155550777")));
        assertFalse(elsewhere.passed());
        assertEquals(VerificationFailure.DEST_MISMATCH, elsewhere.failure());
        tearDown();
        setUp();

        // the nested PASSporT altered before the div-o was signed over it: the div-o verifies, the nested does not
        String[] parts = shaken(FIRST).split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4) + "AAAA";
        Verification bad = published(divO(FIRST, forged));
        assertFalse(bad.passed());
        assertEquals(VerificationFailure.SIGNATURE_INVALID, bad.failure());
    }
}
