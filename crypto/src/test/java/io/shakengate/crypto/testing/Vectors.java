package io.shakengate.crypto.testing;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.shakengate.crypto.CertificateSource;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.RevocationList;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The test vectors copied under src/test/resources/io/shakengate/crypto/vectors (see its README). */
public final class Vectors {
    private Vectors() {
    }

    /** The text of vector file {@code name}, trimmed. */
    public static String text(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/io/shakengate/crypto/vectors/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no vector " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of vector file {@code name}. */
    public static byte[] bytes(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/io/shakengate/crypto/vectors/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The synthetic manifest (synthetic/manifest.json). */
    public static Map<String, Object> syntheticManifest() {
        try {
            return JSONObjectUtils.parse(new String(bytes("synthetic/manifest.json"), StandardCharsets.UTF_8));
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificates of a PEM text. */
    public static List<X509Certificate> pem(byte[] pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The synthetic vectors' verifier clock (epoch seconds). */
    public static long syntheticClock() {
        return ((Number) syntheticManifest().get("verifier_clock_epoch")).longValue();
    }

    /**
     * A verifier as the synthetic manifest describes it: its root as the only trust anchor, its STI-PA CRL,
     * certificates served from its x5u table (any other URL fails), the clock at {@code clock}.
     */
    /** The synthetic manifest's x5u table as a certificate source (any other URL fails). */
    @SuppressWarnings("unchecked")
    public static CertificateSource syntheticCertificates() {
        Map<String, Object> x5u = (Map<String, Object>) syntheticManifest().get("x5u");
        return url -> {
            Map<String, Object> entry = (Map<String, Object>) x5u.get(url);
            if (entry == null) {
                return CompletableFuture.completedFuture(CertificateSource.Chain.failed("no such URL"));
            }
            int status = ((Number) entry.get("status")).intValue();
            if (status != 200) {
                return CompletableFuture.completedFuture(CertificateSource.Chain.failed("HTTP " + status));
            }
            return CompletableFuture.completedFuture(
                    CertificateSource.Chain.of(pem(bytes("synthetic/" + entry.get("file")))));
        };
    }

    /** The synthetic PKI's chain validator: its root as the only anchor, its STI-PA CRL checked at {@code clock}. */
    public static ChainValidator syntheticChains(long clock) {
        Date now = new Date(clock * 1000);
        X509Certificate root = pem(bytes("synthetic/pki/root.pem")).get(0);
        X509CRL crl = RevocationList.load(bytes("synthetic/pki/sti-pa.crl.der"),
                pem(bytes("synthetic/pki/crl-signer-chain.pem")), pem(bytes("synthetic/pki/stipa-root.pem")).get(0), now);
        return new ChainValidator(Set.of(new TrustAnchor(root, null)), crl);
    }

    /**
     * A verifier as the synthetic manifest describes it: its root as the only trust anchor, its STI-PA CRL,
     * certificates served from its x5u table (any other URL fails), the clock at {@code clock}.
     */
    public static PassportVerifier syntheticVerifier(EcdsaProvider provider, long clock) {
        return new PassportVerifier(PassportVerifier.Config.DEFAULT, syntheticCertificates(), syntheticChains(clock),
                () -> clock, provider);
    }
}
