package io.shakengate.crypto.passport;

import io.shakengate.crypto.sign.Es256Signer;
import io.shakengate.crypto.sign.SignerPool;

import java.nio.charset.StandardCharsets;


/**
 * Builds and signs SHAKEN PASSporTs and writes the full-form SIP Identity header value (RFC 8224 section 4,
 * RFC 8588): {@code header.payload.signature;info=<x5u>;alg=ES256;ppt=shaken}.
 *
 * <p>Thread-safe: each thread gets its own encoder (and the pool its own signer); nothing is locked.
 */
public final class PassportSigner {
    private final SignerPool pool;
    private final String x5u;
    private final byte[] identityParams;
    private final ThreadLocal<PassportEncoder> encoders;

    /** A signer with {@code pool}'s key, whose certificate chain is published at {@code x5u}. */
    public PassportSigner(SignerPool pool, String x5u) {
        if (!x5u.startsWith("https://")) {
            throw new IllegalArgumentException("x5u must be an https URL: " + x5u);
        }
        this.pool = pool;
        this.x5u = x5u;
        this.identityParams = (";info=<" + x5u + ">;alg=ES256;ppt=shaken").getBytes(StandardCharsets.US_ASCII);
        this.encoders = ThreadLocal.withInitial(() -> new PassportEncoder(x5u));
    }

    /** The signers of this key (also for the CPS's bearer tokens, signed with the same SHAKEN key). */
    public io.shakengate.crypto.sign.SignerPool pool() {
        return pool;
    }

    /** The certificate URL. */
    public String x5u() {
        return x5u;
    }

    /**
     * Signs {@code claims} and writes the Identity header value into {@code dst} (grown if too small);
     * returns its length. The bytes are ASCII.
     */
    public int writeIdentity(ShakenClaims claims, byte[][] dst) {
        PassportEncoder e = encoders.get();
        e.encode(claims);
        byte[] buf = e.buffer();
        int n = e.length();
        Es256Signer signer = pool.signer();
        byte[] sig = SIG.get();
        signer.sign(buf, 0, n, sig, 0);
        int total = n + 1 + 86 + identityParams.length;
        byte[] out = dst[0];
        if (out == null || out.length < total) {
            out = new byte[Math.max(total, 1024)];
            dst[0] = out;
        }
        System.arraycopy(buf, 0, out, 0, n);
        out[n] = '.';
        int p = Base64Url.encode(sig, 0, 64, out, n + 1);
        System.arraycopy(identityParams, 0, out, p, identityParams.length);
        return p + identityParams.length;
    }

    /** Signs {@code claims} and returns the Identity header value as a String. */
    public String identity(ShakenClaims claims) {
        byte[][] holder = new byte[1][];
        int n = writeIdentity(claims, holder);
        return new String(holder[0], 0, n, StandardCharsets.US_ASCII);
    }

    /**
     * Signs a PASSporT of type {@code ppt} ({@code div}, {@code rcd}, {@code rph}, or {@code shaken} with extra
     * claims such as {@code rcd}) with {@code claims} in deterministic JSON, and returns its full-form Identity
     * header value {@code h.p.s;info=<x5u>;alg=ES256;ppt=<ppt>}. Allocates; the SHAKEN hot path is
     * {@link #writeIdentity}.
     */
    public String identity(String ppt, java.util.Map<String, Object> claims) {
        StringBuilder h = new StringBuilder(128).append("{\"alg\":\"ES256\",\"ppt\":");
        Json.quote(h, ppt).append(",\"typ\":\"passport\",\"x5u\":");
        Json.quote(h, x5u).append('}');
        String input = Base64Url.encode(h.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(Json.canonical(new StringBuilder(256), claims).toString()
                .getBytes(StandardCharsets.UTF_8));
        byte[] in = input.getBytes(StandardCharsets.US_ASCII);
        byte[] sig = SIG.get();
        pool.signer().sign(in, 0, in.length, sig, 0);
        return input + "." + Base64Url.encode(java.util.Arrays.copyOf(sig, 64)) + ";info=<" + x5u
                + ">;alg=ES256;ppt=" + ppt;
    }

    /**
     * The RFC 8688 jCard JWS a 608's {@code Call-Info: <...>;purpose=jwscard} points to: header
     * {@code {"alg":"ES256","typ":"vcard+json","x5u":...}}, payload {@code {"iat":...,"jcard":...}} with the
     * jCard (RFC 7095) {@code jcard} as JSON text; compact serialisation.
     */
    public String jwsCard(long iat, String jcard) {
        StringBuilder h = new StringBuilder(128).append("{\"alg\":\"ES256\",\"typ\":\"vcard+json\",\"x5u\":");
        Json.quote(h, x5u).append('}');
        String input = Base64Url.encode(h.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(("{\"iat\":" + iat + ",\"jcard\":" + jcard + "}").getBytes(StandardCharsets.UTF_8));
        byte[] in = input.getBytes(StandardCharsets.US_ASCII);
        byte[] sig = SIG.get();
        pool.signer().sign(in, 0, in.length, sig, 0);
        return input + "." + Base64Url.encode(java.util.Arrays.copyOf(sig, 64));
    }

    private static final ThreadLocal<byte[]> SIG = ThreadLocal.withInitial(() -> new byte[64]);

    @Override
    public String toString() {
        return "PassportSigner(" + x5u + ", " + pool.provider() + ")";
    }

}
