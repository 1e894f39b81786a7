package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A path that changes transport: SIPp UAC over UDP -> A (UDP in, signs, TCP to the next hop) -> B (TCP,
 * verifies) -> SIPp UAS over TCP; responses come back over TCP to A and on over UDP. And RFC 3261 section
 * 18.1.1: a request over 1,300 bytes leaves a UDP point over TCP to the same next hop, a small one over UDP.
 */
class MixedTransportTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";

    @TempDir
    Path dir;

    /** Services signing and verifying with {@code ee}'s key and its chain cached at X5U. */
    private static ServiceConfig services(TestPki pki, TestPki.Issued ee) {
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        return new ServiceConfig(signer, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U), 1500);
    }

    /**
     * SIPp UAC over {@code uacTransport} to {@code a}, SIPp UAS over {@code uasTransport} on {@code uasPort}: every
     * call completes, and the UAS sees Identity and verstat=TN-Validation-Passed on each.
     */
    private void sippThrough(ProxyServer server, InetSocketAddress a, int uasPort, String uacTransport,
                             String uasTransport, int calls) throws Exception {
        Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, "uas-shaken.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls), "-t", uasTransport);
        Thread.sleep(300);
        Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(uacTransport.equals("t1") ? Sipp.freeTcpPort() : Sipp.freeUdpPort()),
                "127.0.0.1:" + a.getPort(), "-m", Integer.toString(calls), "-r", "10", "-t", uacTransport);
        int uacExit = Sipp.waitFor(uac, 60);
        int uasExit = Sipp.waitFor(uas, 30);
        String detail = server.counters() + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log")) + "\nUAS:\n"
                + Sipp.tail(dir.resolve("uas.log"));
        assertEquals(0, uacExit, "every call completes: " + detail);
        assertEquals(0, uasExit, "the UAS saw Identity and verstat=TN-Validation-Passed: " + detail);
        assertEquals(calls, server.counters().get(ProxyCounters.Event.VERIFIED_PASSED), detail);
    }

    @Test
    void udpInTcpOutEveryCallCompletes() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        ServiceConfig services = services(pki, pki.endEntity(TestPki.Flaw.NONE));
        InetAddress lo = InetAddress.getLoopbackAddress();
        int uasPort = Sipp.freeTcpPort();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress b = server.bindTcp(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uasPort)), () -> services);
            InetSocketAddress a = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null, Role.SIGN,
                    b, false, List.of(), "tcp", false), () -> services, null);
            sippThrough(server, a, uasPort, "u1", "t1", 20);
        }
    }

    /** SIPp UAC over TCP -> A (TCP in, signs, UDP out from its UDP point) -> B (UDP, verifies) -> SIPp UAS (UDP). */
    @Test
    void tcpInUdpOutEveryCallCompletes() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        ServiceConfig services = services(pki, pki.endEntity(TestPki.Flaw.NONE));
        InetAddress lo = InetAddress.getLoopbackAddress();
        int uasPort = Sipp.freeUdpPort();
        try (ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress b = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uasPort)), () -> services);
            server.bind(new ListeningPoint("a-udp", new InetSocketAddress(lo, 0), null, Role.FORWARD, b), () -> services);
            InetSocketAddress a = server.bindStreamToUdp(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    Role.SIGN, b, false, List.of(), "udp", false), () -> services, null, "a-udp");
            sippThrough(server, a, uasPort, "t1", "u1", 20);
        }
    }

    @Test
    void udpInTlsOut() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued cert = pki.tlsServer();
        io.netty.handler.ssl.SslContext serverTls = io.netty.handler.ssl.SslContextBuilder.forServer(
                cert.keys().getPrivate(), cert.cert()).build();
        io.netty.handler.ssl.SslContext clientTls = io.netty.handler.ssl.SslContextBuilder.forClient()
                .trustManager(pki.root.cert()).build();
        ServiceConfig services = services(pki, ee);
        InetAddress lo = InetAddress.getLoopbackAddress();
        TlsTest.Uas uas = TlsTest.uas(TlsTest.jdk(pki, pki.tlsServer()));
        try (DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            caller.setSoTimeout(8000);
            InetSocketAddress b = server.bindTls(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uas.socket().getLocalPort())), () -> services, serverTls,
                    clientTls);
            InetSocketAddress a = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null, Role.SIGN,
                    b, false, List.of(), "tls", false), () -> services, clientTls);
            LoopbackSip.send(caller, a, LoopbackSip.invite(caller.getLocalPort(), "udp-tls", "12155550121",
                    "12155550131", null));
            String invite = uas.invite().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(invite.contains("verstat=TN-Validation-Passed") && invite.contains("\r\nIdentity: "), invite);
            String response = LoopbackSip.receive(caller);
            assertTrue(response.startsWith("SIP/2.0 200 OK\r\n"), "back over TLS, then UDP: " + response);
        } finally {
            uas.socket().close();
        }
    }

    @Test
    void aRequestTooLargeForUdpGoesOverTcp() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServiceConfig services = new ServiceConfig(null, Attestation.A, null, 1500);
        try (ServerSocket tcp = new ServerSocket(0, 5, lo); DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), lo);
             DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            tcp.setSoTimeout(5000);
            udp.setSoTimeout(5000);
            caller.setSoTimeout(5000);
            InetSocketAddress point = server.bind(new ListeningPoint("fwd", new InetSocketAddress(lo, 0), null,
                    Role.FORWARD, new InetSocketAddress(lo, tcp.getLocalPort()), false, List.of(), null, true),
                    () -> services, null);
            // small: UDP
            LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "small", "12155550121",
                    "12155550131", null));
            String small = LoopbackSip.receive(udp);
            assertTrue(small.contains("Via: SIP/2.0/UDP "), small);
            // large: a 1,400-byte body takes it over 1,300 bytes
            String body = "v=0\r\n" + "a=x-pad:" + "x".repeat(1400) + "\r\n";
            String large = LoopbackSip.invite(caller.getLocalPort(), "large", "12155550121", "12155550131", null)
                    .replace("Content-Length: 0\r\n\r\n", "Content-Type: application/sdp\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body);
            LoopbackSip.send(caller, point, large);
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(5000);
                String got = TlsTest.read(s.getInputStream());
                assertTrue(got.startsWith("INVITE ") && got.contains("Via: SIP/2.0/TCP ") && got.endsWith(body), got);
                StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String line : got.split("\r\n")) {
                    if (line.matches("(?i)^(Via|From|To|Call-ID|CSeq):.*")) {
                        ok.append(line).append("\r\n");
                    }
                }
                s.getOutputStream().write(ok.append("Content-Length: 0\r\n\r\n").toString()
                        .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                String response = LoopbackSip.receive(caller);
                assertTrue(response.startsWith("SIP/2.0 200 OK\r\n") && response.contains("branch=z9hG4bK-large"),
                        "the 200 came back over TCP and went on over UDP: " + response);
            }
            assertEquals(1, server.counters().get(ProxyCounters.Event.SENT_OVER_TCP));
        }
    }
}
