package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIP over TLS (RFC 3261 section 26.2): a UAC -> appliance A (signs) -> appliance B (verifies) -> a UAS, every
 * hop TLS; the UAS sees the Identity header and verstat=TN-Validation-Passed and its 200 OK comes back to the
 * UAC over the same connections. The next hops' certificates are checked: a UAS whose certificate is not from
 * the trusted root gets nothing. (Debian's SIPp is built without TLS, so the UAs here are JDK TLS sockets.)
 */
class TlsTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";

    static SSLContext jdk(TestPki pki, TestPki.Issued own) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", pki.root.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("own", own.keys().getPrivate(), new char[0], new Certificate[] {own.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }

    /** One SIP message from a stream: the header block, then Content-Length bytes. */
    static String read(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + b);
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
                    : c == '\r' ? 1 : 0;
        }
        String head = b.toString(StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^(?:Content-Length|l):\\s*(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    record Uas(SSLServerSocket socket, CompletableFuture<String> invite) {
    }

    /** A UAS on TLS that answers the first INVITE with 200 OK (Via, From, To, Call-ID, CSeq copied). */
    static Uas uas(SSLContext tls) throws IOException {
        SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress());
        server.setSoTimeout(8000);
        CompletableFuture<String> invite = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(8000);
                String inv = read(s.getInputStream());
                invite.complete(inv);
                StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String line : inv.split("\r\n")) {
                    if (line.matches("(?i)^(Via|From|To|Call-ID|CSeq):.*")) {
                        ok.append(line).append(line.regionMatches(true, 0, "To:", 0, 3) ? ";tag=uas" : "").append("\r\n");
                    }
                }
                s.getOutputStream().write(ok.append("Content-Length: 0\r\n\r\n").toString()
                        .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                Thread.sleep(500);
            } catch (Exception e) {
                invite.completeExceptionally(e);
            }
        }, "tls-uas");
        t.setDaemon(true);
        t.start();
        return new Uas(server, invite);
    }

    private static String call(SSLContext tls, InetSocketAddress a) throws Exception {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(8000);
            String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                    + "Via: SIP/2.0/TLS 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-tls1\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:+12155550121@127.0.0.1;user=phone>;tag=tls1\r\n"
                    + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                    + "P-Asserted-Identity: <tel:+12155550121>\r\n"
                    + "Call-ID: tls-call-1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Content-Length: 0\r\n\r\n";
            s.getOutputStream().write(invite.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    @Test
    void signedAndVerifiedOverTlsEveryHop() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued server = pki.tlsServer();
        SslContext serverTls = SslContextBuilder.forServer(server.keys().getPrivate(), server.cert()).build();
        SslContext clientTls = SslContextBuilder.forClient().trustManager(pki.root.cert()).build();
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, TestServices.preloadedVerifier(pki, ee, X5U),
                1500);
        InetAddress lo = InetAddress.getLoopbackAddress();
        Uas uas = uas(jdk(pki, pki.tlsServer()));
        try (ProxyServer proxy = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress b = proxy.bindTls(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, new InetSocketAddress(lo, uas.socket().getLocalPort())), () -> services, serverTls,
                    clientTls);
            InetSocketAddress a = proxy.bindTls(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    Role.SIGN, b), () -> services, serverTls, clientTls);
            String response = call(jdk(pki, pki.tlsServer()), a);
            String invite = uas.invite().get(10, TimeUnit.SECONDS);
            assertTrue(invite.contains("\r\nIdentity: ") && invite.contains(";ppt=shaken"), invite);
            assertTrue(invite.contains("verstat=TN-Validation-Passed"), invite);
            assertTrue(invite.startsWith("INVITE ") && invite.contains("\r\nVia: SIP/2.0/TLS "), invite);
            assertTrue(response.startsWith("SIP/2.0 200 OK\r\n"), response);
            assertTrue(response.contains("branch=z9hG4bK-tls1"), "back to the UAC on its own connection: " + response);
            assertEquals(1, proxy.counters().get(ProxyCounters.Event.SIGNED));
            assertEquals(1, proxy.counters().get(ProxyCounters.Event.VERIFIED_PASSED));
        } finally {
            uas.socket().close();
        }
    }

    @Test
    void aNextHopWithAnUntrustedCertificateGetsNothing() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki other = new TestPki(System.currentTimeMillis());
        TestPki.Issued server = pki.tlsServer();
        SslContext serverTls = SslContextBuilder.forServer(server.keys().getPrivate(), server.cert()).build();
        SslContext clientTls = SslContextBuilder.forClient().trustManager(pki.root.cert()).build();
        ServiceConfig services = new ServiceConfig(null, Attestation.A, null, 1500);
        InetAddress lo = InetAddress.getLoopbackAddress();
        // the UAS presents a certificate from another root: the appliance's handshake must fail
        Uas uas = uas(jdk(other, other.tlsServer()));
        try (ProxyServer proxy = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress a = proxy.bindTls(new ListeningPoint("forward", new InetSocketAddress(lo, 0), null,
                    Role.FORWARD, new InetSocketAddress(lo, uas.socket().getLocalPort())), () -> services, serverTls,
                    clientTls);
            try (SSLSocket s = (SSLSocket) jdk(pki, pki.tlsServer()).getSocketFactory().createSocket(a.getAddress(),
                    a.getPort())) {
                s.setSoTimeout(3000);
                s.getOutputStream().write(("INVITE sip:+12155550131@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:"
                        + s.getLocalPort() + ";branch=z9hG4bK-x\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
                        + "To: <sip:b@127.0.0.1>\r\nCall-ID: tls-untrusted\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                try {
                    read(s.getInputStream());
                } catch (SocketTimeoutException expected) {
                    // nothing comes back: the INVITE was not delivered
                }
            }
            try {
                String got = uas.invite().get(5, TimeUnit.SECONDS);
                throw new AssertionError("the untrusted next hop received: " + got);
            } catch (java.util.concurrent.ExecutionException expected) {
                // the appliance connected and refused the handshake: the UAS saw an SSL error, or, when the
                // appliance's alert and close came first, the connection gone under its own handshake write
                assertTrue(expected.getCause() instanceof javax.net.ssl.SSLException
                        || expected.getCause() instanceof java.net.SocketException, expected.getCause().toString());
            }
        } finally {
            uas.socket().close();
        }
    }

    @Test
    void aTlsListeningPointFromTheConfiguration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued server = pki.tlsServer();
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"),
                io.shakengate.crypto.x509.CertificateRequests.privateKeyPem(
                        io.shakengate.crypto.x509.CertificateRequests.newKeyPair()));
        java.nio.file.Files.writeString(dir.resolve("cert.pem"), server.certPem());
        java.nio.file.Files.writeString(dir.resolve("key.pem"), server.privateKeyPem());
        java.nio.file.Files.writeString(dir.resolve("trust.pem"), pki.root.certPem());
        String points = String.join("\n",
                "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "listeningPoints:",
                "  - { name: redirect, transport: tls, listen: \"127.0.0.1:0\", role: sign, redirect: true }", "");
        io.shakengate.proxy.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.shakengate.proxy.config.ConfigException.class,
                () -> io.shakengate.proxy.config.ApplianceConfig.parse(points, "t.yaml"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("no tls section"), e.getMessage());
        String yaml = points + "tls: { certificate: " + dir.resolve("cert.pem") + ", key: " + dir.resolve("key.pem")
                + ", trust: " + dir.resolve("trust.pem") + " }\n";
        try (Appliance appliance = Appliance.start(io.shakengate.proxy.config.ApplianceConfig.parse(yaml, "t.yaml"))) {
            String response = call(jdk(pki, pki.tlsServer()), appliance.bound().get(0));
            assertTrue(response.startsWith("SIP/2.0 302 ") && response.contains("\r\nIdentity: "), response);
        }
    }
}
