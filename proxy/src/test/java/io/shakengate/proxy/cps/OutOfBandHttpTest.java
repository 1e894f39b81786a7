package io.shakengate.proxy.cps;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.ListeningPoint;
import io.shakengate.proxy.ProxyServer;
import io.shakengate.proxy.Role;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.TestServices;
import io.shakengate.proxy.http.HttpApiServer;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.Retrieval;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out-of-band SHAKEN with a softswitch that speaks HTTP: {@code POST /stir/v1/signing} on appliance A, whose
 * rule delivers out of band, publishes to a real CPS (embedded store, and a real redis-server); on appliance B,
 * {@code POST /stir/v1/verification} without {@code identity} retrieves it and passes, and so does a SIPp
 * INVITE without Identity through B's verify point. With the CPS down or answering after 5 s, every request
 * and call is answered within the budget with the fallback.
 */
class OutOfBandHttpTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String AUDIENCE = "cps.shakengate.test";
    private static final long BUDGET = 800;

    @TempDir
    Path dir;

    TestPki pki;
    TestPki.Issued ee;
    PassportSigner signer;
    EventLoopGroup group;
    Transports transports;
    ExecutorService http;
    HttpClient client;
    final List<AutoCloseable> closing = new ArrayList<>();
    final ProxyCounters countsA = new ProxyCounters();
    final ProxyCounters countsB = new ProxyCounters();

    @BeforeEach
    void setUp() {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        transports = Transports.detect();
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        http = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cps-client");
            t.setDaemon(true);
            return t;
        });
        client = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        http.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private InetSocketAddress any() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A CPS on its own listener with {@code store}; its base URL. */
    private URI cps(CpsStore store) throws Exception {
        CpsServer server = new CpsServer(new CpsTokens.Verifier(AUDIENCE, 60, 60, PassportVerifier.Config.DEFAULT,
                TestServices.preloadedCache(pki, ee, X5U), new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(),
                null)), null), () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected()), store,
                new CpsServer.Limits(16, 15, 60), () -> System.currentTimeMillis() / 1000);
        HttpApiServer api = new HttpApiServer(group, transports, any(), null, new HttpApiServer.Limits(List::of, 16384,
                30), () -> null, server, new ProxyCounters());
        closing.add(store);
        closing.add(api);
        return URI.create("http://127.0.0.1:" + api.address().getPort());
    }

    private CpsClient cpsClient(URI cps) {
        return new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(cps, AUDIENCE)), TestPki.SPC, 15,
                1000), http, () -> System.currentTimeMillis() / 1000);
    }

    /** Appliance A's services: every call signed A and delivered out of band only, to {@code cps}. */
    private ServiceConfig signing(URI cps) {
        return new ServiceConfig(signer, Attestation.A, null, BUDGET, VerificationPolicy.defaults(),
                new AuthenticationPolicy(List.of(new AuthenticationPolicy.Rule("tdm-bound", null, List.of(), List.of(),
                        AuthenticationPolicy.Action.ATTEST_A, AuthenticationPolicy.Delivery.OUT_OF_BAND)),
                        AuthenticationPolicy.Action.ATTEST_C),
                new ServiceConfig.OutOfBand(cpsClient(cps), Retrieval.OFF));
    }

    /** Appliance B's services: verifying, retrieving from {@code cps} when a call has no Identity. */
    private ServiceConfig verifying(URI cps) {
        return new ServiceConfig(signer, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U), BUDGET,
                VerificationPolicy.defaults(), AuthenticationPolicy.always(Attestation.A),
                new ServiceConfig.OutOfBand(cpsClient(cps), Retrieval.WHEN_NO_IDENTITY));
    }

    private String api(ServiceConfig services, ProxyCounters counts) throws Exception {
        HttpApiServer api = new HttpApiServer(group, transports, any(), null, new HttpApiServer.Limits(List::of, 16384,
                30), () -> services, null, counts);
        closing.add(api);
        return "http://127.0.0.1:" + api.address().getPort();
    }

    private HttpResponse<String> post(String base, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String signingRequest() {
        return "{\"signingRequest\":{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":"
                + System.currentTimeMillis() / 1000 + ",\"orig\":{\"tn\":\"12155550121\"},\"origid\":\""
                + UUID.randomUUID() + "\"}}";
    }

    private static final String VERIFY_WITHOUT_IDENTITY = "{\"verificationRequest\":{\"from\":{\"tn\":\"12155550121\"},"
            + "\"to\":{\"tn\":[\"12155550131\"]}}}";

    /** A's signing API publishes; B's verification API, given no identity, finds it in the CPS. */
    private void signPublishVerify(URI cps) throws Exception {
        String a = api(signing(cps), countsA);
        String b = api(verifying(cps), countsB);
        HttpResponse<String> signed = post(a, "/stir/v1/signing", signingRequest());
        assertEquals(200, signed.statusCode(), signed.body());
        assertTrue(signed.body().contains("\"identity\":\"eyJ"), "the answer still carries the Identity value: "
                + signed.body());
        HttpResponse<String> verified = post(b, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
        assertEquals(200, verified.statusCode(), verified.body());
        assertEquals("{\"verificationResponse\":{\"verstat\":\"TN-Validation-Passed\"}}", verified.body(),
                "A " + countsA + ", B " + countsB);
        assertEquals(1, countsA.get(ProxyCounters.Event.SIGNED));
        // the publication is counted when the CPS client hears back, which the signing answer does not wait for
        for (int i = 0; i < 200 && countsA.get(ProxyCounters.Event.OOB_PUBLISHED) == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, countsA.get(ProxyCounters.Event.OOB_PUBLISHED), countsA.toString());
        assertEquals(1, countsB.get(ProxyCounters.Event.OOB_RETRIEVED), countsB.toString());
        assertEquals(1, countsB.get(ProxyCounters.Event.VERIFIED_PASSED), countsB.toString());
    }

    @Test
    void httpSignThroughTheEmbeddedCpsToHttpVerify() throws Exception {
        signPublishVerify(cps(new MemoryCpsStore(16, 1000, System::currentTimeMillis)));
    }

    @Test
    void httpSignThroughRedisToHttpVerify() throws Exception {
        RedisServer redis = new RedisServer(dir);
        closing.add(redis);
        signPublishVerify(cps(new RedisCpsStore(group, transports, redis.address, 16, "cps:",
                System::currentTimeMillis)));
    }

    /** HTTP sign -> CPS -> SIPp INVITEs without Identity through B's verify point: the UAS sees them passed. */
    @Test
    void httpSignThenSippCallsWithoutIdentityPassAtTheVerifyPoint() throws Exception {
        URI cps = cps(new MemoryCpsStore(16, 1000, System::currentTimeMillis));
        String a = api(signing(cps), countsA);
        HttpResponse<String> signed = post(a, "/stir/v1/signing", signingRequest());
        assertEquals(200, signed.statusCode(), signed.body());
        ServiceConfig b = verifying(cps);
        InetAddress lo = InetAddress.getLoopbackAddress();
        int uasPort = Sipp.freeUdpPort();
        int calls = 5;
        try (ProxyServer server = new ProxyServer(transports, 1, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress verify = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uasPort)), () -> b);
            Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, "uas-verstat-passed.xml"), "-i",
                    "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls));
            Thread.sleep(300);
            Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                    "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + verify.getPort(), "-m",
                    Integer.toString(calls), "-r", "5");
            int uacExit = Sipp.waitFor(uac, 60);
            int uasExit = Sipp.waitFor(uas, 30);
            String detail = server.counters() + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log")) + "\nUAS:\n"
                    + Sipp.tail(dir.resolve("uas.log"));
            assertEquals(0, uacExit, "every call completes: " + detail);
            assertEquals(0, uasExit, "verstat=TN-Validation-Passed on every INVITE: " + detail);
            assertEquals(calls, server.counters().get(ProxyCounters.Event.OOB_RETRIEVED), detail);
            assertEquals(calls, server.counters().get(ProxyCounters.Event.VERIFIED_PASSED), detail);
        }
    }

    /** CPS down: signing still answers (the publish fails later, counted); verifying answers the fallback. */
    @Test
    void cpsDownEveryRequestAnsweredWithinTheBudget() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + closed);
        String a = api(signing(down), countsA);
        String b = api(verifying(down), countsB);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> signed = post(a, "/stir/v1/signing", signingRequest());
            assertEquals(200, signed.statusCode(), signed.body());
            long t0 = System.nanoTime();
            HttpResponse<String> verified = post(b, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, verified.statusCode(), verified.body());
            assertTrue(verified.body().contains("\"verstat\":\"No-TN-Validation\""), verified.body());
            assertTrue(millis < BUDGET + 1000, "answered within the budget: " + millis + " ms");
        }
        assertEquals(0, countsB.get(ProxyCounters.Event.VERIFIED_PASSED));
        assertEquals(3, countsB.get(ProxyCounters.Event.VERIFY_NO_IDENTITY) + countsB.get(ProxyCounters.Event.VERIFY_TIMEOUT),
                countsB.toString());
    }

    /** A CPS that answers only after 5 s: the verification answers at the budget, 436 No-TN-Validation. */
    @Test
    void slowCpsAnsweredAtTheBudget() throws Exception {
        try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!slow.isClosed()) {
                    try {
                        held.add(slow.accept()); // never answered while the test runs
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "slow-cps");
            acceptor.setDaemon(true);
            acceptor.start();
            String b = api(verifying(URI.create("http://127.0.0.1:" + slow.getLocalPort())), countsB);
            long t0 = System.nanoTime();
            HttpResponse<String> verified = post(b, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, verified.statusCode(), verified.body());
            assertTrue(verified.body().contains("\"reasoncode\":436"), verified.body());
            assertTrue(verified.body().contains("\"verstat\":\"No-TN-Validation\""), verified.body());
            assertTrue(millis >= BUDGET - 50 && millis < BUDGET + 1500, "answered at the budget: " + millis + " ms");
            assertEquals(1, countsB.get(ProxyCounters.Event.VERIFY_TIMEOUT), countsB.toString());
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** A signing services' CPS client sealing to {@code sealTo}. */
    private ServiceConfig sealingTo(URI cps, java.security.interfaces.ECPublicKey sealTo) {
        CpsClient sealing = new CpsClient(new CpsClient.Settings(List.of(new CpsClient.Target(cps, AUDIENCE, sealTo)),
                TestPki.SPC, 15, 1000), http, () -> System.currentTimeMillis() / 1000);
        return new ServiceConfig(signer, Attestation.A, null, BUDGET, VerificationPolicy.defaults(),
                new AuthenticationPolicy(List.of(), AuthenticationPolicy.Action.ATTEST_A,
                        AuthenticationPolicy.Delivery.OUT_OF_BAND), new ServiceConfig.OutOfBand(sealing, Retrieval.OFF));
    }

    /** A verifying appliance retrieving from {@code cps} and opening sealed PASSporTs with {@code key} (or none). */
    private ServiceConfig opening(URI cps, java.security.interfaces.ECPrivateKey key) {
        io.shakengate.proxy.stir.VerificationService v = new io.shakengate.proxy.stir.VerificationService(
                TestServices.preloadedVerifier(pki, ee, X5U), BUDGET, VerificationPolicy.defaults(),
                java.util.Map.of(), new io.shakengate.proxy.stir.VerificationService.OutOfBand(cpsClient(cps),
                Retrieval.WHEN_NO_IDENTITY, signer, key == null ? null
                : new io.shakengate.crypto.cps.PassportEnvelope.Opener(key)),
                io.shakengate.proxy.stir.VerificationService.DEFAULT_MAX_PASSPORTS);
        return new ServiceConfig(new io.shakengate.proxy.stir.AuthenticationService(null,
                AuthenticationPolicy.always(Attestation.A), null), v, java.util.Map.of());
    }

    private static java.security.KeyPair p256() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * Sealed delivery: appliance A seals to B's key; the CPS holds only the JWE; B opens and verifies it; an
     * appliance with another key, or none, fails with its own reason, counted.
     */
    @Test
    void sealedToOneProviderOpenedByItAloneAndTheCpsNeverHoldsTheClearToken() throws Exception {
        MemoryCpsStore store = new MemoryCpsStore(16, 1000, System::currentTimeMillis);
        URI cps = cps(store);
        java.security.KeyPair b = p256();
        String a = api(sealingTo(cps, (java.security.interfaces.ECPublicKey) b.getPublic()), countsA);
        HttpResponse<String> signed = post(a, "/stir/v1/signing", signingRequest());
        assertEquals(200, signed.statusCode(), signed.body());
        String clear = signed.body().substring(signed.body().indexOf("eyJ"), signed.body().indexOf(';'));
        List<String> held = List.of();
        for (int i = 0; i < 50 && held.isEmpty(); i++) {
            held = store.retrieve("12155550131", "12155550121").join();
            Thread.sleep(20);
        }
        assertEquals(1, held.size(), "the CPS holds one PASSporT");
        assertTrue(io.shakengate.crypto.cps.PassportEnvelope.isSealed(held.get(0)), held.get(0));
        assertTrue(!held.get(0).contains(clear) && !held.get(0).contains(clear.split("\\.")[1]),
                "the CPS never holds the clear token");

        String right = api(opening(cps, (java.security.interfaces.ECPrivateKey) b.getPrivate()), countsB);
        HttpResponse<String> opened = post(right, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
        assertEquals("{\"verificationResponse\":{\"verstat\":\"TN-Validation-Passed\"}}", opened.body(),
                countsB.toString());

        ProxyCounters other = new ProxyCounters();
        String wrong = api(opening(cps, (java.security.interfaces.ECPrivateKey) p256().getPrivate()), other);
        HttpResponse<String> refused = post(wrong, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
        assertTrue(refused.body().contains("\"reasoncode\":438"), refused.body());
        assertTrue(refused.body().contains(io.shakengate.crypto.VerificationFailure.PASSPORT_UNDECRYPTABLE.description()),
                refused.body());
        assertTrue(refused.body().contains("\"verstat\":\"No-TN-Validation\""), refused.body());
        assertEquals(1, other.get(ProxyCounters.Event.OOB_UNDECRYPTABLE), other.toString());

        ProxyCounters none = new ProxyCounters();
        String keyless = api(opening(cps, null), none);
        HttpResponse<String> noKey = post(keyless, "/stir/v1/verification", VERIFY_WITHOUT_IDENTITY);
        assertTrue(noKey.body().contains(io.shakengate.crypto.VerificationFailure.PASSPORT_UNDECRYPTABLE.description()),
                noKey.body());
        assertEquals(1, none.get(ProxyCounters.Event.OOB_UNDECRYPTABLE), none.toString());
    }
}
