package io.shakengate.proxy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sign point on [::1]: the request is signed and forwarded, the response finds its way back by Via. */
class Ipv6Test {
    @Test
    void signsAndRoutesOverIpv6Loopback() throws Exception {
        InetAddress lo6 = InetAddress.getByName("::1");
        DatagramSocket callee;
        try {
            callee = new DatagramSocket(0, lo6);
        } catch (java.net.SocketException e) {
            Assumptions.abort("no IPv6 loopback on this machine: " + e.getMessage());
            return;
        }
        TestPki pki = new TestPki(System.currentTimeMillis());
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                pki.endEntity(TestPki.Flaw.NONE).keys().getPrivate()), "https://cert.shakengate.test/sti/1234.pem");
        try (callee; DatagramSocket caller = new DatagramSocket(0, lo6);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            callee.setSoTimeout(3000);
            caller.setSoTimeout(3000);
            InetSocketAddress point = server.bind(new ListeningPoint("sign6", new InetSocketAddress(lo6, 0), null,
                    Role.SIGN, (InetSocketAddress) callee.getLocalSocketAddress()),
                    new ServiceConfig(signer, Attestation.A, null, 1500));
            String invite = "INVITE sip:+12155550131@[::1];user=phone SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP [::1]:" + caller.getLocalPort() + ";branch=z9hG4bK-v6\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:+12155550121@[::1];user=phone>;tag=v6\r\n"
                    + "To: <sip:+12155550131@[::1];user=phone>\r\n"
                    + "Call-ID: v6\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
            byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
            caller.send(new DatagramPacket(b, b.length, point));
            byte[] buf = new byte[65535];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            callee.receive(got);
            String forwarded = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
            assertTrue(forwarded.contains("\r\nVia: SIP/2.0/UDP [0:0:0:0:0:0:0:1]:" + point.getPort() + ";branch="),
                    forwarded);
            assertTrue(forwarded.contains("\r\nIdentity: "), forwarded);
            String via = forwarded.lines().filter(l -> l.startsWith("Via:")).findFirst().orElseThrow();
            String ok = "SIP/2.0 200 OK\r\n" + via + "\r\nVia: SIP/2.0/UDP [::1]:" + caller.getLocalPort()
                    + ";branch=z9hG4bK-v6\r\nFrom: <sip:+12155550121@[::1];user=phone>;tag=v6\r\n"
                    + "To: <sip:+12155550131@[::1];user=phone>;tag=b\r\nCall-ID: v6\r\nCSeq: 1 INVITE\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] r = ok.getBytes(StandardCharsets.US_ASCII);
            callee.send(new DatagramPacket(r, r.length, got.getSocketAddress()));
            DatagramPacket back = new DatagramPacket(buf, buf.length);
            caller.receive(back);
            assertTrue(new String(buf, 0, back.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 200 OK"));
        }
    }
}
