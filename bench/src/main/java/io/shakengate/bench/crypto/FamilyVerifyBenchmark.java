package io.shakengate.bench.crypto;

import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationFacts;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.TrustAnchor;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What verifying a call costs through the verification service, with its certificate cached: a call with one
 * SHAKEN PASSporT ({@code shaken}) against a diverted, branded call with shaken + div + rcd ({@code family}; the
 * rcd with an rcdi digest of its logo, whose fetched digest is remembered). Every call set is distinct and the
 * verifier remembers no signature outcome, so each PASSporT costs its ECDSA verification: three signatures are
 * the floor of a family call, and the issue asks for at most 2.2x the SHAKEN-only call. {@code embedded} is the
 * same call with its rcd claims and rcdi digest in the SHAKEN PASSporT (RFC 9795 section 5), rcdi checked
 * likewise: two signatures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class FamilyVerifyBenchmark {
    private static final String X5U = "https://cert.example.com/sti/1234-good.pem";
    private static final String LOGO = "https://brand.example.com/logo.png";
    private static final byte[] LOGO_BYTES = "logo".getBytes(StandardCharsets.US_ASCII);
    private static final String ORIG = "12155550121";
    private static final String FIRST = "12155550131";
    private static final String TO = "12155550199";
    private static final int CALLS = 1024;

    /** shaken; family: shaken + div + an rcd PASSporT; embedded: shaken carrying rcd + rcdi claims, + div. */
    @Param({"shaken", "family", "embedded"})
    public String call;

    @Param({"ACCP", "BOUNCY_CASTLE"})
    public String provider;

    private VerificationService service;
    private final List<VerificationFacts> facts = new ArrayList<>(CALLS);
    private ScheduledExecutorService timer;
    private final ProxyCounters counts = new ProxyCounters();
    private int next;

    @Setup
    public void setup() throws Exception {
        EcdsaProvider p = EcdsaProvider.valueOf(provider);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p.provider());
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        BenchPki pki = new BenchPki(kp);
        CompletableFuture<CertificateSource.Chain> cached = CompletableFuture.completedFuture(
                CertificateSource.Chain.of(pki.chain));
        long now = System.currentTimeMillis() / 1000;
        PassportVerifier verifier = new PassportVerifier(PassportVerifier.Config.DEFAULT, url -> cached,
                new ChainValidator(Set.of(new TrustAnchor(pki.root, null)), null), () -> now, p).withTokenMemory(1);
        CertificateFetcher logo = url -> CompletableFuture.completedFuture(
                new CertificateFetcher.Response(200, LOGO_BYTES, null, null, null));
        service = new VerificationService(verifier, 1500, VerificationPolicy.defaults(), Map.of(), null, 8)
                .withFamily(new Family(Emergency.DEFAULT, Blocking.NONE, Set.of(), Branding.NONE, logo, true,
                        Family.Presentation.BOTH));
        PassportSigner signer = new PassportSigner(new SignerPool(p, kp.getPrivate()), X5U);
        boolean family = !call.equals("shaken");
        boolean embedded = call.equals("embedded");
        for (int i = 0; i < CALLS; i++) {
            List<VerificationFacts.Identity> ids = new ArrayList<>(3);
            if (embedded) {
                // RFC 9795 section 5: the rcd claims (and the rcdi digest of the logo) in the SHAKEN PASSporT
                Map<String, Object> shaken = new LinkedHashMap<>();
                shaken.put("attest", "A");
                shaken.put("dest", Map.of("tn", List.of(FIRST)));
                shaken.put("iat", now);
                shaken.put("orig", Map.of("tn", ORIG));
                shaken.put("origid", UUID.randomUUID().toString());
                shaken.put("rcd", Map.of("nam", "Example Clinic " + i, "icn", LOGO));
                shaken.put("rcdi", Map.of("/icn", RichCallData.integrity("sha256", LOGO_BYTES)));
                ids.add(identity(signer.identity("shaken", shaken)));
            } else {
                ids.add(identity(signer.identity(new ShakenClaims(Attestation.A, ORIG, List.of(family ? FIRST : TO),
                        now, UUID.randomUUID().toString()))));
            }
            if (family) {
                ids.add(identity(signer.identity("div", Map.of("orig", Map.of("tn", ORIG), "dest",
                        Map.of("tn", List.of(TO)), "div", Map.of("tn", FIRST), "iat", now - i % 30))));
                Map<String, Object> rcd = new LinkedHashMap<>();
                rcd.put("orig", Map.of("tn", ORIG));
                rcd.put("dest", Map.of("tn", List.of(FIRST)));
                rcd.put("iat", now - i % 30);
                rcd.put("rcd", Map.of("nam", "Example Clinic " + i, "icn", LOGO));
                rcd.put("rcdi", Map.of("/icn", RichCallData.integrity("sha256", LOGO_BYTES)));
                if (!embedded) {
                    ids.add(identity(signer.identity("rcd", rcd)));
                }
            }
            facts.add(new VerificationFacts("verify", ids, ORIG, List.of(TO), -1, null, List.of()));
        }
        timer = Executors.newSingleThreadScheduledExecutor();
        for (VerificationFacts f : facts) {
            Verification v = service.verify(f, timer, counts).join();
            boolean all = v.passed() && (!family || (v.first("div").result().passed()
                    && v.first("rcd").result().passed() && v.rcd() != null));
            if (!all) {
                throw new IllegalStateException("benchmark call does not verify: " + v);
            }
        }
    }

    @TearDown
    public void tearDown() {
        timer.shutdownNow();
    }

    private static VerificationFacts.Identity identity(String header) {
        int semi = header.indexOf(';');
        String ppt = header.substring(header.lastIndexOf("ppt=") + 4);
        return new VerificationFacts.Identity(header.substring(0, semi), X5U, "ES256", ppt);
    }

    /** One call verified: every PASSporT it carries, the call's outcome. */
    @Benchmark
    public boolean verifyCall() {
        VerificationFacts f = facts.get(next);
        next = (next + 1) & (CALLS - 1);
        return service.verify(f, timer, counts).join().passed();
    }
}
