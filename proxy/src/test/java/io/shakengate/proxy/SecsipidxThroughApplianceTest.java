package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.HttpCertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.TrustAnchor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An INVITE signed by secsipidx (an independent implementation) verifies in the appliance: the verify point
 * fetches the chain from an HTTPS certificate repository on loopback through its cache, checks it against
 * the trusted root, and marks the call TN-Validation-Passed.
 */
class SecsipidxThroughApplianceTest {
    @TempDir
    Path dir;

    @Test
    void secsipidxSignedInviteVerifiesInTheAppliance() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        TestPki.Issued tls = pki.tlsServer();
        Path key = Files.writeString(dir.resolve("ee.key.pem"), ee.privateKeyPem());
        InetAddress lo = InetAddress.getLoopbackAddress();
        SslContext serverTls = SslContextBuilder.forServer(tls.keys().getPrivate(), tls.cert()).build();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", pki.root.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);
        ExecutorService fetchers = Executors.newFixedThreadPool(1);
        try (CertificateRepository repo = new CertificateRepository(Transports.detect(), new InetSocketAddress(lo, 0),
                serverTls, Map.of("/sti/1234.pem", (ee.certPem() + pki.intermediate.certPem())
                        .getBytes(StandardCharsets.US_ASCII)));
             DatagramSocket callee = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            int port = repo.address().getPort();
            String x5u = "https://127.0.0.1:" + port + "/sti/1234.pem";
            CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                    new HttpCertificateFetcher(new HttpCertificateFetcher.Limits(1000, 2000, 65536, true), fetchers,
                            clientTls), System::currentTimeMillis);
            PassportVerifier verifier = new PassportVerifier(new PassportVerifier.Config(60, Set.of(port), true, false),
                    cache, new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null),
                    () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected());
            InetSocketAddress point = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, (InetSocketAddress) callee.getLocalSocketAddress()),
                    new ServiceConfig(null, Attestation.A, verifier, 1500));

            String[] signed = io.shakengate.crypto.testing.Secsipidx.run("-sign-full", "-orig-tn", "12155550121",
                    "-dest-tn", "12155550131", "-attest", "A", "-x5u", x5u, "-k", key.toString(), "-orig-id",
                    "5e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7");
            assertEquals("0", signed[0], signed[1]);
            String identity = signed[1].lines()
                    .filter(l -> l.contains(";info=")).findFirst().orElseThrow();
            String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-secsipidx\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:+12155550121@127.0.0.1;user=phone>;tag=secsipidx\r\n"
                    + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                    + "P-Asserted-Identity: <tel:+12155550121>\r\n"
                    + "Call-ID: secsipidx-through-appliance\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Identity: " + identity + "\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
            caller.send(new DatagramPacket(b, b.length, point));
            callee.setSoTimeout(5000);
            byte[] buf = new byte[65535];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            callee.receive(got);
            String forwarded = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
            assertTrue(forwarded.contains("\r\nP-Asserted-Identity: <tel:+12155550121;verstat=TN-Validation-Passed>\r\n"),
                    forwarded);
            assertEquals(1, server.counters().get(ProxyCounters.Event.VERIFIED_PASSED));
        } finally {
            fetchers.shutdownNow();
        }
    }
}
