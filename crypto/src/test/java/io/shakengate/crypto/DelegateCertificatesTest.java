package io.shakengate.crypto;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.TnAuthList;
import org.junit.jupiter.api.Test;

import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delegate certificates (RFC 9060): a chain STI-CA root -> intermediate -> service provider's CA (SPC) ->
 * delegate (a number range), made here; the caller inside the range passes, outside fails with its reason.
 */
class DelegateCertificatesTest {
    private static final String URL = "https://cert.test.example/sti/enterprise.pem";
    private static final long NOW = 1_800_000_000L;
    private static final String DEST = "12155550131";

    private final TestPki pki = new TestPki(NOW * 1000);
    private final TestPki.Issued spCa = pki.serviceProviderCa("CN=SHAKEN 1234 Delegate CA,O=Test Carrier,C=US",
            TnAuthList.ofSpc("1234"));
    private final TestPki.Issued delegate = pki.delegate(spCa, "CN=Enterprise Inc,C=US",
            TnAuthList.parseText("12025550100-12025550199"));

    private PassportVerifier verifier(Map<String, List<X509Certificate>> served) {
        CertificateSource source = url -> CompletableFuture.completedFuture(served.containsKey(url)
                ? CertificateSource.Chain.of(served.get(url)) : CertificateSource.Chain.failed("HTTP 404"));
        return new PassportVerifier(PassportVerifier.Config.DEFAULT, source,
                new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null), () -> NOW,
                EcdsaProvider.selected());
    }

    private VerificationResult verify(TestPki.Issued signer, List<X509Certificate> chain, String orig) {
        PassportSigner s = new PassportSigner(new SignerPool(EcdsaProvider.selected(), signer.keys().getPrivate()), URL);
        String identity = s.identity(new ShakenClaims(Attestation.A, orig, List.of(DEST), NOW,
                "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f"));
        return verifier(Map.of(URL, chain)).verify(new PassportVerifier.Request(identity.substring(0,
                identity.indexOf(';')), URL, "ES256", "shaken", orig, List.of(DEST), -1)).join();
    }

    @Test
    void aCallerInsideTheDelegateRangePasses() {
        VerificationResult r = verify(delegate, pki.delegateChain(delegate, spCa), "12025550150");
        assertTrue(r.passed(), r.toString());
        assertEquals(VerificationFailure.VERSTAT_PASSED, r.verstat());
        assertNull(r.spc(), "a delegate certificate names no SPC");
        ChainValidator.Validated v = new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null)
                .validate(pki.delegateChain(delegate, spCa), new Date(NOW * 1000)).validated();
        assertEquals(List.of(new TnAuthList.Range("12025550100", 100)), v.scope().ranges());
    }

    @Test
    void aCallerOutsideTheRangeFailsWithItsOwnReason() {
        for (String orig : new String[] {"12025550200", "12025550099", "19995550150"}) {
            VerificationResult r = verify(delegate, pki.delegateChain(delegate, spCa), orig);
            assertEquals(VerificationFailure.ORIG_OUTSIDE_CERT_SCOPE, r.failure(), orig);
            assertEquals(VerificationFailure.VERSTAT_FAILED, r.verstat());
            assertEquals(437, r.failure().sipStatus());
        }
    }

    @Test
    void aDelegateBeyondItsIssuersNumbersIsRefused() {
        TestPki.Issued narrowCa = pki.serviceProviderCa("CN=Reseller CA,C=US",
                TnAuthList.parseText("12025550100-12025550149"));
        TestPki.Issued wide = pki.delegate(narrowCa, "CN=Too Wide,C=US", TnAuthList.parseText("12025550100-12025550199"));
        assertEquals(VerificationFailure.CERT_DELEGATE_SCOPE,
                verify(wide, pki.delegateChain(wide, narrowCa), "12025550120").failure());
        TestPki.Issued inside = pki.delegate(narrowCa, "CN=Inside,C=US", TnAuthList.parseText("12025550120"));
        assertTrue(verify(inside, pki.delegateChain(inside, narrowCa), "12025550120").passed());
        TestPki.Issued spcUnderNumbers = pki.delegate(narrowCa, "CN=SHAKEN 9999,C=US", TnAuthList.ofSpc("9999"));
        assertEquals(VerificationFailure.CERT_DELEGATE_SCOPE,
                verify(spcUnderNumbers, pki.delegateChain(spcUnderNumbers, narrowCa), "12025550120").failure(),
                "a number-constrained CA cannot issue an SPC certificate");
    }

    @Test
    void aDelegateChainNotUpToAnStiCaIsUntrusted() {
        TestPki other = new TestPki(NOW * 1000);
        TestPki.Issued rogueCa = other.serviceProviderCa("CN=Rogue CA,C=US", TnAuthList.ofSpc("1234"));
        TestPki.Issued rogue = other.delegate(rogueCa, "CN=Rogue,C=US", TnAuthList.parseText("12025550150"));
        assertEquals(VerificationFailure.CERT_UNTRUSTED,
                verify(rogue, other.delegateChain(rogue, rogueCa), "12025550150").failure());
        assertEquals(VerificationFailure.CERT_UNTRUSTED,
                verify(delegate, List.of(delegate.cert(), pki.intermediate.cert()), "12025550150").failure(),
                "the SP's CA left out of the chain");
    }
}
