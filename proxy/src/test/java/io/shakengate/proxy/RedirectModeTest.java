package io.shakengate.proxy;

import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.VerificationPolicy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.stir.AuthenticationPolicy.Action;
import io.shakengate.proxy.stir.AuthenticationPolicy.Rule;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redirect mode: the appliance answers instead of forwarding, as the commercial services do. */
class RedirectModeTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";

    @Test
    void signAndVerifyAnswerWith302And404And603() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        PassportVerifier verifier = TestServices.preloadedVerifier(pki, ee, X5U);
        AuthenticationPolicy policy = new AuthenticationPolicy(List.of(
                new Rule("premium", null, List.of(), List.of("1900"), Action.BLOCK)), Action.ATTEST_A);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, verifier, 1500,
                VerificationPolicy.defaults(), policy);
        InetAddress lo = InetAddress.getLoopbackAddress();
        InetSocketAddress unused = new InetSocketAddress(lo, 9);
        try (DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            caller.setSoTimeout(3000);
            InetSocketAddress sign = server.bind(new ListeningPoint("sign-redirect", new InetSocketAddress(lo, 0),
                    null, Role.SIGN, unused, true), services);
            InetSocketAddress verify = server.bind(new ListeningPoint("verify-redirect",
                    new InetSocketAddress(lo, 0), null, Role.VERIFY, unused, true), services);

            String signed = exchange(caller, sign, invite(caller, "r1", "+12155550121", "+12155550131", null));
            assertTrue(signed.startsWith("SIP/2.0 302 Moved Temporarily\r\n"), signed);
            assertTrue(signed.contains("\r\nContact: <sip:+12155550131@127.0.0.1;user=phone>\r\n"), signed);
            String identity = header(signed, "Identity");
            assertTrue(identity.endsWith(";info=<" + X5U + ">;alg=ES256;ppt=shaken"), signed);

            String noNumber = exchange(caller, sign, invite(caller, "r2", "alice", "+12155550131", null));
            assertTrue(noNumber.startsWith("SIP/2.0 404 "), noNumber);
            String blocked = exchange(caller, sign, invite(caller, "r3", "+12155550121", "+19005550100", null));
            assertTrue(blocked.startsWith("SIP/2.0 603 Decline\r\n"), blocked);

            String verified = exchange(caller, verify, invite(caller, "r4", "+12155550121", "+12155550131", identity));
            assertTrue(verified.startsWith("SIP/2.0 302 Moved Temporarily\r\n"), verified);
            assertTrue(verified.contains(
                    "\r\nP-Asserted-Identity: <sip:+12155550121;verstat=TN-Validation-Passed@127.0.0.1;user=phone>\r\n"),
                    verified);
            String unsigned = exchange(caller, verify, invite(caller, "r5", "+12155550121", "+12155550131", null));
            assertTrue(unsigned.contains(";verstat=No-TN-Validation@"), unsigned);
        }
    }

    private static String header(String msg, String name) {
        for (String line : msg.split("\r\n")) {
            if (line.startsWith(name + ": ")) {
                return line.substring(name.length() + 2);
            }
        }
        return "";
    }

    private static String exchange(DatagramSocket caller, InetSocketAddress to, String msg) throws Exception {
        byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
        caller.send(new DatagramPacket(b, b.length, to));
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        caller.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static String invite(DatagramSocket caller, String callId, String from, String to, String identity) {
        return "INVITE sip:" + to + "@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + from + "@127.0.0.1;user=phone>;tag=" + callId + "\r\n"
                + "To: <sip:" + to + "@127.0.0.1;user=phone>\r\n"
                + (from.startsWith("+") ? "P-Asserted-Identity: <sip:" + from + "@127.0.0.1;user=phone>\r\n" : "")
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + (identity == null ? "" : "Identity: " + identity + "\r\n")
                + "Content-Length: 0\r\n\r\n";
    }
}
