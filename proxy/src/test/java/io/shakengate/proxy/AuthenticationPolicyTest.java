package io.shakengate.proxy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.AuthenticationPolicy.Action;
import io.shakengate.proxy.AuthenticationPolicy.Rule;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticationPolicyTest {
    private static final AuthenticationPolicy POLICY = new AuthenticationPolicy(List.of(
            new Rule("premium-block", null, List.of(), List.of("1900"), Action.BLOCK),
            new Rule("toll-free-no-sign", null, List.of("1800"), List.of(), Action.NO_SIGN),
            new Rule("own-customers", "127.0.0.0/8", List.of("1215", "1267"), List.of(), Action.ATTEST_A),
            new Rule("other-net", "10.0.0.0/8", List.of(), List.of(), Action.ATTEST_B)), Action.ATTEST_C);

    @Test
    void firstMatchingRuleDecides() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        InetAddress ten = InetAddress.getByName("10.1.2.3");
        assertEquals(Action.ATTEST_A, POLICY.decide(lo, "12155550121", "12155550131"));
        assertEquals(Action.ATTEST_C, POLICY.decide(lo, "13125550100", "12155550131"), "no rule: default");
        assertEquals(Action.ATTEST_B, POLICY.decide(ten, "12155550121", "12155550131"));
        assertEquals(Action.NO_SIGN, POLICY.decide(lo, "18005550100", "12155550131"));
        assertEquals(Action.BLOCK, POLICY.decide(lo, "12155550121", "19005550100"), "first rule wins");
        assertEquals(Action.ATTEST_C, POLICY.decide(null, null, null));
        assertTrue(AuthenticationPolicy.inPrefix(InetAddress.getByName("2001:db8::7"), "2001:db8::/32"));
        assertFalse(AuthenticationPolicy.inPrefix(InetAddress.getByName("2001:db9::7"), "2001:db8::/32"));
        assertFalse(AuthenticationPolicy.inPrefix(lo, "2001:db8::/32"));
        assertThrows(IllegalArgumentException.class, () -> new Rule("x", "example.com/8", List.of(), List.of(),
                Action.NO_SIGN));
        assertThrows(IllegalArgumentException.class, () -> new Rule("x", "10.0.0.0/40", List.of(), List.of(),
                Action.NO_SIGN));
    }

    @Test
    void theSignPointAppliesThePolicy() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                pki.endEntity(TestPki.Flaw.NONE).keys().getPrivate()), "https://cert.shakengate.test/sti/1234.pem");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            next.setSoTimeout(3000);
            caller.setSoTimeout(3000);
            InetSocketAddress point = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    Role.SIGN, (InetSocketAddress) next.getLocalSocketAddress()),
                    new ServiceConfig(signer, Attestation.C, null, 1500, VerificationPolicy.defaults(), POLICY));
            assertEquals("A", LoopbackSip.attest(send(caller, point, "12155550121", "12155550131", next)));
            assertEquals("C", LoopbackSip.attest(send(caller, point, "13125550100", "12155550131", next)));
            assertFalse(send(caller, point, "18005550100", "12155550131", next).contains("\r\nIdentity:"));
            send(caller, point, "12155550121", "19005550100", null);
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            caller.receive(p);
            assertTrue(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 603 Decline"));
        }
    }

    private static String send(DatagramSocket caller, InetSocketAddress to, String from, String dest,
                               DatagramSocket next) throws Exception {
        LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), from + "-" + dest, from, dest, null));
        return next == null ? null : LoopbackSip.receive(next);
    }
}
