package io.shakengate.proxy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An OPTIONS addressed to the appliance (a softswitch's or load balancer's keep-alive) is answered by it, 200
 * with what it takes; an OPTIONS for a user behind it is forwarded like any request; a redirect point answers
 * every OPTIONS.
 */
class OptionsTest {
    private static String options(String uri, int viaPort, String id) {
        return "OPTIONS " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + viaPort + ";branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:ping@127.0.0.1>;tag=" + id + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void anOptionsForTheApplianceIsAnsweredByIt() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        String x5u = "https://cert.shakengate.test/sti/1234.pem";
        ServiceConfig services = new ServiceConfig(new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                ee.keys().getPrivate()), x5u), Attestation.A, TestServices.preloadedVerifier(pki, ee, x5u),
                ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT);
             DatagramSocket caller = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket next = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            caller.setSoTimeout(3000);
            next.setSoTimeout(3000);
            InetSocketAddress point = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, (InetSocketAddress) next.getLocalSocketAddress()), services);
            int via = caller.getLocalPort();

            LoopbackSip.send(caller, point, options("sip:127.0.0.1:" + point.getPort(), via, "o1"));
            String answer = LoopbackSip.receive(caller);
            assertTrue(answer.startsWith("SIP/2.0 200 OK\r\n"), answer);
            assertTrue(answer.contains("\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n"), answer);
            assertTrue(answer.contains("\r\nCall-ID: o1\r\n"), answer);
            assertEquals(1, server.counters().get(ProxyCounters.Event.OPTIONS_ANSWERED));

            LoopbackSip.send(caller, point, options("sip:bob@127.0.0.1:" + next.getLocalPort(), via, "o2"));
            String forwarded = LoopbackSip.receive(next);
            assertTrue(forwarded.startsWith("OPTIONS sip:bob@"), "a user's OPTIONS goes on: " + forwarded);
            assertEquals(1, server.counters().get(ProxyCounters.Event.OPTIONS_ANSWERED));

            InetSocketAddress redirect = server.bind(new ListeningPoint("redirect", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, null, true, java.util.List.of(), null, false), services);
            LoopbackSip.send(caller, redirect, options("sip:bob@example.net", via, "o3"));
            String redirected = LoopbackSip.receive(caller);
            assertTrue(redirected.startsWith("SIP/2.0 200 OK\r\n"), redirected);
            assertEquals(2, server.counters().get(ProxyCounters.Event.OPTIONS_ANSWERED));
        }
    }
}
