package io.shakengate.proxy;

import io.shakengate.proxy.stir.VerificationPolicy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.stir.VerificationPolicy.Action;
import io.shakengate.proxy.stir.VerificationPolicy.OutcomeClass;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every verification outcome class triggers its configured action: one verify point whose policy gives each
 * class a different action, one INVITE per class, and what reaches the callee (or comes back to the caller).
 */
class VerificationPolicyTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String MISSING = "https://cert.shakengate.test/sti/missing.pem";
    private static final VerificationPolicy POLICY = VerificationPolicy.defaults()
            .with(OutcomeClass.NO_IDENTITY, Action.REJECT)
            .with(OutcomeClass.INVALID_HEADER, Action.FORWARD_WITH_REASON)
            .with(OutcomeClass.CERTIFICATE_ERROR, Action.BLOCK_603)
            .with(OutcomeClass.SIGNATURE_FAILURE, Action.BLOCK_608)
            .with(OutcomeClass.STALE, Action.REJECT)
            .with(OutcomeClass.NUMBER_MISMATCH, Action.FORWARD_UNCHANGED);

    private static ProxyServer server;
    private static DatagramSocket uas;
    private static DatagramSocket uac;
    private static InetSocketAddress proxy;
    private static PassportSigner good;
    private static PassportSigner missingCert;
    private static PassportSigner wrongKey;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportVerifier verifier = TestServices.preloadedVerifier(pki, ee, X5U);
        good = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        missingCert = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), MISSING);
        wrongKey = new PassportSigner(new SignerPool(EcdsaProvider.selected(), TestPki.p256().getPrivate()), X5U);
        InetAddress lo = InetAddress.getLoopbackAddress();
        uas = new DatagramSocket(0, lo);
        uac = new DatagramSocket(0, lo);
        uas.setSoTimeout(3000);
        uac.setSoTimeout(3000);
        server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT);
        proxy = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null, Role.VERIFY,
                (InetSocketAddress) uas.getLocalSocketAddress()),
                new ServiceConfig(null, Attestation.A, verifier, 1500, POLICY));
    }

    @AfterAll
    static void stop() {
        server.close();
        uas.close();
        uac.close();
    }

    @ParameterizedTest
    @EnumSource(OutcomeClass.class)
    void eachOutcomeClassTriggersItsAction(OutcomeClass outcome) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String callId = "policy-" + outcome;
        String identity = switch (outcome) {
            case NO_IDENTITY -> null;
            case INVALID_HEADER -> "not-a-passport;info=<" + X5U + ">;alg=ES256;ppt=shaken";
            case CERTIFICATE_ERROR -> sign(missingCert, "12155550131", now);
            case SIGNATURE_FAILURE -> sign(wrongKey, "12155550131", now);
            case STALE -> sign(good, "12155550131", now - 120);
            case NUMBER_MISMATCH -> sign(good, "12155550199", now);
            case PASSED -> sign(good, "12155550131", now);
        };
        send(invite(callId, identity));
        switch (POLICY.action(outcome)) {
            case FORWARD_VERSTAT -> assertTrue(receive(uas).contains(
                    "P-Asserted-Identity: <sip:+12155550121;verstat=TN-Validation-Passed@127.0.0.1;user=phone>"));
            case FORWARD_WITH_REASON -> {
                String msg = receive(uas);
                assertTrue(msg.contains(";verstat=No-TN-Validation@"), msg);
                assertTrue(msg.contains("\r\nReason: STIR;cause=438;text=\"Invalid Identity Header\"\r\n"), msg);
            }
            case FORWARD_UNCHANGED -> {
                String msg = receive(uas);
                assertFalse(msg.contains("verstat="), msg);
                assertTrue(msg.contains("Call-ID: " + callId), msg);
            }
            case REJECT -> {
                String msg = receive(uac);
                String expected = outcome == OutcomeClass.NO_IDENTITY ? "SIP/2.0 428 Use Identity Header\r\n"
                        : "SIP/2.0 403 Stale Date\r\n";
                assertTrue(msg.startsWith(expected), msg);
                assertTrue(msg.contains("\r\nReason: STIR;cause="), msg);
            }
            case BLOCK_603 -> assertTrue(receive(uac).startsWith("SIP/2.0 603 Decline\r\n"));
            case BLOCK_608 -> assertTrue(receive(uac).startsWith("SIP/2.0 608 Rejected\r\n"));
            default -> throw new AssertionError(outcome);
        }
    }

    @org.junit.jupiter.api.Test
    void aHeaderThatDoesNotParseWhileVerifyingIsAnsweredWithItsReason() throws Exception {
        String msg = invite("bad-date", sign(good, "12155550131", System.currentTimeMillis() / 1000))
                .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nDate: Fri, 01 Jan 2010 16:00:00 EST\r\n");
        send(msg);
        String answer = receive(uac);
        assertTrue(answer.startsWith("SIP/2.0 400 Bad Request (invalid Date)\r\n"), answer);
        send(invite("bad-identity", "..;info=<" + X5U + ">;ppt=shaken").replace("Identity: ..;", "Identity: ;"));
        answer = receive(uac);
        assertTrue(answer.startsWith("SIP/2.0 438 Invalid Identity Header\r\n"), answer);
    }

    private static String sign(PassportSigner signer, String dest, long iat) {
        return signer.identity(new ShakenClaims(Attestation.A, "12155550121", List.of(dest), iat,
                "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f"));
    }

    private static String receive(DatagramSocket s) throws Exception {
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing arrived");
        }
        String msg = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
        assertNotNull(msg);
        return msg;
    }

    private static void send(String msg) throws Exception {
        byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
        uac.send(new DatagramPacket(b, b.length, proxy));
    }

    private static String invite(String callId, String identity) {
        return LoopbackSip.signedInvite(uac.getLocalPort(), callId, identity);
    }
}
