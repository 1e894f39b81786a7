package io.shakengate.proxy;

import io.shakengate.proxy.stir.VerificationPolicy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verification's details for the softswitch: a verified INVITE carries the attestation, origid and signer
 * SPC in the configured headers; copies of those headers from upstream are removed (nobody upstream can claim
 * an attestation), also on a call that did not verify.
 */
class ResultHeadersTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";

    @Test
    void verifiedDetailsInTheirHeadersAndUpstreamCopiesRemoved() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        VerificationPolicy policy = VerificationPolicy.defaults().withResultHeaders(
                new VerificationPolicy.ResultHeaders("X-Attestation", "X-Shaken-Spc", "X-Origid"));
        ServiceConfig services = new ServiceConfig(null, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U),
                1500, policy);
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket uas = new DatagramSocket(0, lo); DatagramSocket uac = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            uas.setSoTimeout(3000);
            InetSocketAddress proxy = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, (InetSocketAddress) uas.getLocalSocketAddress()), services);
            String identity = signer.identity(new ShakenClaims(Attestation.B, "12155550121", List.of("12155550131"),
                    System.currentTimeMillis() / 1000, "5e1f2a3b-4c5d-4e7f-8091-a2b3c4d5e6f7"));
            String forged = "CSeq: 1 INVITE\r\nX-Attestation: A\r\nx-shaken-spc: 9999\r\n";
            LoopbackSip.send(uac, proxy, LoopbackSip.signedInvite(uac.getLocalPort(), "rh1", identity)
                    .replace("CSeq: 1 INVITE\r\n", forged));
            String got = LoopbackSip.receive(uas);
            assertTrue(got.contains("\r\nX-Attestation: B\r\n") && !got.contains("X-Attestation: A"), got);
            assertTrue(got.contains("\r\nX-Shaken-Spc: " + TestPki.SPC + "\r\n") && !got.contains("9999"), got);
            assertTrue(got.contains("\r\nX-Origid: 5e1f2a3b-4c5d-4e7f-8091-a2b3c4d5e6f7\r\n"), got);
            // no Identity: the forged headers go, nothing is added
            LoopbackSip.send(uac, proxy, LoopbackSip.signedInvite(uac.getLocalPort(), "rh2", null)
                    .replace("CSeq: 1 INVITE\r\n", forged));
            got = LoopbackSip.receive(uas);
            assertFalse(got.toLowerCase(java.util.Locale.ROOT).contains("x-attestation")
                    || got.toLowerCase(java.util.Locale.ROOT).contains("x-shaken-spc"), got);
            assertTrue(got.contains("verstat=No-TN-Validation"), got);
        }
    }
}
