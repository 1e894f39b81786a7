package io.shakengate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParser;
import io.shakengate.codec.SipResponses;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.HttpCertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.metrics.MetricsServer;
import io.shakengate.proxy.transport.Transports;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.TrustAnchor;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.util.Set;

/**
 * The embedded default: a demo PKI made on the spot, an originating appliance (signs) and a terminating one
 * (verifies) on loopback, a few calls from a built-in caller to a built-in callee, the call flow and the
 * counters printed. Everything binds 127.0.0.1 and stops at the end.
 */
final class Demo {
    private Demo() {
    }

    /** Runs the demo; returns the number of calls that did not complete with TN-Validation-Passed. */
    static int run(PrintStream out, int calls) throws Exception {
        Transports transports = Transports.detect();
        EcdsaProvider provider = EcdsaProvider.selected();
        out.println("ShakenGate demo: transport " + transports.describe() + ", ECDSA " + provider.describe());
        DemoPki pki = new DemoPki("1234");
        out.println("demo PKI: root \"" + pki.root().getSubjectX500Principal().getName() + "\", signer \""
                + pki.chain().get(0).getSubjectX500Principal().getName() + "\" (TNAuthList SPC 1234)");
        // The certificate repository: the demo root also issues a TLS certificate for 127.0.0.1.
        Map.Entry<java.security.cert.X509Certificate, java.security.KeyPair> tls = pki.tlsServer();
        SslContext serverTls = SslContextBuilder.forServer(tls.getValue().getPrivate(), tls.getKey()).build();
        java.util.concurrent.ExecutorService fetchers = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "x5u-fetch");
            t.setDaemon(true);
            return t;
        });
        CertificateRepository repository = new CertificateRepository(transports,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverTls,
                Map.of("/sti/1234.pem", pki.chainPem().getBytes(StandardCharsets.US_ASCII)));
        int port = repository.address().getPort();
        String x5u = "https://127.0.0.1:" + port + "/sti/1234.pem";
        out.println("certificate repository: " + x5u + " (HTTPS, served by the originating side)");
        PassportSigner signer = new PassportSigner(new SignerPool(provider, pki.signerKeys().getPrivate()), x5u);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("demo-root", pki.root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);
        // The demo runs on loopback: x5u on 127.0.0.1 and its port are allowed here, never by default.
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                new HttpCertificateFetcher(new HttpCertificateFetcher.Limits(1000, 2000, 65536, true), fetchers,
                        clientTls), System::currentTimeMillis);
        PassportVerifier verifier = new PassportVerifier(new PassportVerifier.Config(60, Set.of(443, 8443, port),
                true, false), cache, new ChainValidator(Set.of(new TrustAnchor(pki.root(), null)), null),
                () -> System.currentTimeMillis() / 1000, provider);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, verifier,
                ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        InetAddress lo = InetAddress.getLoopbackAddress();
        int failed = 0;
        try (DatagramSocket callee = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(transports, 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress terminating = server.bind(new ListeningPoint("terminating", new InetSocketAddress(lo, 0),
                    null, Role.VERIFY, (InetSocketAddress) callee.getLocalSocketAddress()), services);
            InetSocketAddress originating = server.bind(new ListeningPoint("originating",
                    new InetSocketAddress(lo, 0), null, Role.SIGN, terminating), services);
            try (MetricsServer metrics = new MetricsServer(transports, new InetSocketAddress(lo, 0), server.counters(),
                    server.parseErrors(), server.latency())) {
                out.println("caller " + caller.getLocalSocketAddress() + " -> originating (sign) " + originating
                        + " -> terminating (verify) " + terminating + " -> callee " + callee.getLocalSocketAddress());
                out.println("metrics: http://127.0.0.1:" + metrics.address().getPort() + "/metrics");
                callee.setSoTimeout(3000);
                caller.setSoTimeout(3000);
                for (int i = 1; i <= calls; i++) {
                    failed += call(out, i, caller, callee, originating) ? 0 : 1;
                }
                // a forged call: a PASSporT signed with a key that is not the certificate's, x5u pointing at the
                // real certificate, sent straight to the terminating appliance
                java.security.KeyPair rogue = io.shakengate.crypto.x509.CertificateRequests.newKeyPair();
                String forged = new PassportSigner(new SignerPool(provider, rogue.getPrivate()), x5u).identity(
                        new io.shakengate.crypto.passport.ShakenClaims(Attestation.A, "12155550121",
                                java.util.List.of("12155550131"), System.currentTimeMillis() / 1000,
                                java.util.UUID.randomUUID().toString()));
                failed += forgedCall(out, forged, caller, callee, terminating) ? 0 : 1;
                failed += DemoCps.run(out, pki) ? 0 : 1;
                out.println();
                out.println("counters: " + server.counters());
                out.println(MetricsServer.render(server.counters(), server.parseErrors(), server.latency()).lines()
                        .filter(l -> l.startsWith("shakengate_stage_latency_seconds_count{")
                                || l.startsWith("shakengate_stage_latency_max_seconds{"))
                        .reduce((a, b) -> a + "\n" + b).orElse(""));
            }
        }
        repository.close();
        fetchers.shutdownNow();
        out.println(failed == 0 ? "demo: all " + calls + " calls signed, verified and answered; the forged call caught;"
                + " the out-of-band call verified through the CPS"
                : "demo: " + failed + " of " + (calls + 2) + " calls did not go as they should");
        return failed;
    }

    private static String invite(int n, String local, String identity) {
        return "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-demo-" + n + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"Alice\" <sip:+12155550121@127.0.0.1;user=phone>;tag=demo" + n + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                + "P-Asserted-Identity: <sip:+12155550121@127.0.0.1;user=phone>\r\n"
                + "Call-ID: demo-" + n + "@shakengate\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@" + local + ">\r\n"
                + (identity == null ? "" : "Identity: " + identity + "\r\n")
                + "Content-Length: 0\r\n\r\n";
    }

    /** The INVITE the callee got, or null (said) when none arrived in time. */
    private static DatagramPacket arrived(PrintStream out, DatagramSocket callee) throws java.io.IOException {
        DatagramPacket got = new DatagramPacket(new byte[65535], 65535);
        try {
            callee.receive(got);
            return got;
        } catch (SocketTimeoutException e) {
            out.println("  callee: no INVITE arrived");
            return null;
        }
    }

    /** The forged INVITE reaches the callee marked TN-Validation-Failed (the policy forwards it, marked). */
    private static boolean forgedCall(PrintStream out, String identity, DatagramSocket caller, DatagramSocket callee,
                                      InetSocketAddress terminating) throws Exception {
        byte[] bytes = invite(0, "127.0.0.1:" + caller.getLocalPort(), identity).getBytes(StandardCharsets.US_ASCII);
        out.println();
        out.println("forged call: INVITE +12155550121 -> +12155550131 with an Identity signed by another key,"
                + " sent to the terminating appliance");
        caller.send(new DatagramPacket(bytes, bytes.length, terminating));
        DatagramPacket got = arrived(out, callee);
        if (got == null) {
            return false;
        }
        String in = new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII);
        String pai = in.lines().filter(l -> l.startsWith("P-Asserted-Identity:")).findFirst().orElse("(none)");
        out.println("  terminating: caught: " + pai);
        boolean caught = pai.contains("verstat=TN-Validation-Failed");
        out.println(caught ? "  the forgery was caught (signature does not match the certificate)"
                : "  the forgery was NOT caught");
        return caught;
    }

    private static boolean call(PrintStream out, int n, DatagramSocket caller, DatagramSocket callee,
                                InetSocketAddress to) throws Exception {
        String local = "127.0.0.1:" + caller.getLocalPort();
        String invite = invite(n, local, null);
        byte[] bytes = invite.getBytes(StandardCharsets.US_ASCII);
        caller.send(new DatagramPacket(bytes, bytes.length, to));
        out.println();
        out.println("call " + n + ": INVITE +12155550121 -> +12155550131 sent to the originating appliance");
        DatagramPacket got = arrived(out, callee);
        if (got == null) {
            return false;
        }
        byte[] buf = got.getData();
        SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
        int end = parser.parse(buf, 0, got.getLength(), true);
        if (end < 0) {
            out.println("  callee: unreadable INVITE (" + parser.error() + ")");
            return false;
        }
        SipMessage m = parser.build(Unpooled.copiedBuffer(buf, 0, got.getLength()), 0, got.getLength());
        try {
            String identity = m.identity(0) == null ? "(none)" : m.identity(0).token();
            String verstat = m.pAssertedIdentities().get(0).uri().numberParam("verstat");
            out.println("  originating: attested A, signed: Identity: " + abbreviate(identity) + ";info=<"
                    + (m.identity(0) == null ? "" : m.identity(0).info()) + ">;alg=ES256;ppt=shaken");
            out.println("  terminating: verified: P-Asserted-Identity: " + m.header("P-Asserted-Identity"));
            ByteBuf ok = SipResponses.to(m, 200, "OK").build(UnpooledByteBufAllocator.DEFAULT);
            byte[] resp = new byte[ok.readableBytes()];
            ok.readBytes(resp);
            ok.release();
            callee.send(new DatagramPacket(resp, resp.length, got.getSocketAddress()));
            DatagramPacket answer = new DatagramPacket(new byte[65535], 65535);
            caller.receive(answer);
            String status = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII)
                    .lines().findFirst().orElse("");
            out.println("  caller: " + status + " (back through both appliances)");
            return "TN-Validation-Passed".equals(verstat) && status.startsWith("SIP/2.0 200");
        } catch (SocketTimeoutException e) {
            out.println("  caller: no answer");
            return false;
        } finally {
            m.release();
        }
    }

    private static String abbreviate(String token) {
        return token.length() <= 60 ? token : token.substring(0, 40) + "..." + token.substring(token.length() - 12);
    }
}
