package io.shakengate.bench.crypto;

import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportEncoder;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.Es256Signer;
import io.shakengate.crypto.sign.Es256Verifier;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.TrustAnchor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * ES256 on one thread, ours beside the raw provider in the same run: {@code rawSign}/{@code rawVerify} use
 * one JCA Signature of the provider directly (the ceiling), {@code poolSign}/{@code verify} go through
 * SignerPool and Es256Verifier, and {@code passportSign} builds the SHAKEN PASSporT from claims, signs it and
 * writes the whole Identity header value (what the appliance does per signed call). The input is the signing input of a
 * SHAKEN PASSporT (header and claims, 263 bytes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Es256Benchmark {
    private static final byte[] INPUT = ("eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1w"
            + "bGUuY29tL3N0aS8xMjM0LWdvb2QucGVtIn0.eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyIxMjE1NTU1MDEzMSJdfSwiaWF0IjoxNzY3"
            + "MjI1NjAwLCJvcmlnIjp7InRuIjoiMTIxNTU1NTAxMjEifSwib3JpZ2lkIjoiOWYwYzRiMmUtNWQxYS00YzNiLThlN2YtMWEyYjNjNGQ1ZTZmIn0")
            .getBytes(StandardCharsets.US_ASCII);

    @Param({"ACCP", "BOUNCY_CASTLE"})
    public String provider;

    private Signature rawSigner;
    private Signature rawVerifier;
    private SignerPool pool;
    private Es256Verifier verifier;
    private PublicKey publicKey;
    private final byte[] sig = new byte[64];
    private byte[] validSig;
    private PassportSigner passportSigner;
    private PassportVerifier passportVerifier;
    private PassportVerifier.Request request;
    private final PassportEncoder encoder = new PassportEncoder("https://cert.example.com/sti/1234-good.pem");
    private final byte[][] identity = new byte[1][];
    private final ShakenClaims claims = new ShakenClaims(Attestation.A, "12155550121", List.of("12155550131"),
            1767225600L, "9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f");

    @Setup
    public void setup() throws Exception {
        EcdsaProvider p = EcdsaProvider.valueOf(provider);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", p.provider());
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        publicKey = kp.getPublic();
        rawSigner = p.newSignature();
        rawSigner.initSign(kp.getPrivate());
        rawVerifier = p.newSignature();
        rawVerifier.initVerify(publicKey);
        pool = new SignerPool(p, kp.getPrivate());
        verifier = new Es256Verifier(p);
        Es256Signer s = pool.signer();
        validSig = s.sign(INPUT);
        passportSigner = new PassportSigner(pool, "https://cert.example.com/sti/1234-good.pem");
        // A chain from a test PKI made here (as in crypto's tests), served from a completed future.
        long now = System.currentTimeMillis() / 1000;
        BenchPki pki = new BenchPki(kp);
        CertificateSource.Chain chain = CertificateSource.Chain.of(pki.chain);
        CompletableFuture<CertificateSource.Chain> cached = CompletableFuture.completedFuture(chain);
        passportVerifier = new PassportVerifier(PassportVerifier.Config.DEFAULT, url -> cached,
                new ChainValidator(Set.of(new TrustAnchor(pki.root, null)), null), () -> now, p);
        String identity = passportSigner.identity(new ShakenClaims(Attestation.A, "12155550121",
                List.of("12155550131"), now, "9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f"));
        request = new PassportVerifier.Request(identity.substring(0, identity.indexOf(';')),
                "https://cert.example.com/sti/1234-good.pem", "ES256", "shaken", "12155550121",
                List.of("12155550131"), -1);
        if (!passportVerify()) {
            throw new IllegalStateException("benchmark token does not verify: "
                    + passportVerifier.verify(request).join());
        }
    }

    @Benchmark
    public int rawSign() throws Exception {
        rawSigner.update(INPUT);
        return rawSigner.sign(sig, 0, 64);
    }

    @Benchmark
    public byte[] poolSign() {
        pool.signer().sign(INPUT, 0, INPUT.length, sig, 0);
        return sig;
    }

    /** Only the PASSporT's signing input from claims: the part of passportSign that is not ECDSA. */
    @Benchmark
    public int passportEncode() {
        encoder.encode(claims);
        return encoder.length();
    }

    /** Build the SHAKEN PASSporT from claims, sign it, write the full Identity header value. */
    @Benchmark
    public int passportSign() {
        return passportSigner.writeIdentity(claims, identity);
    }

    @Benchmark
    public boolean rawVerify() throws Exception {
        rawVerifier.update(INPUT);
        return rawVerifier.verify(validSig);
    }

    /**
     * Parse and verify a full Identity header's PASSporT with its certificate chain cached (the verifier's
     * whole per-call path: 17 checks, chain validation memoised, one ECDSA verify).
     */
    @Benchmark
    public boolean passportVerify() {
        return passportVerifier.verify(request).join().passed();
    }

    @Benchmark
    public boolean verify() {
        return verifier.verify(INPUT, 0, INPUT.length, validSig, 0, 64, publicKey);
    }
}
