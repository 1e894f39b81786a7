package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A certificate host that answers only after 3 s holds up only the call that needs it: INVITEs whose
 * certificate is cached keep flowing at once meanwhile (nothing blocks an event loop), and the held call
 * goes on at the end of its budget with No-TN-Validation; its retransmissions meanwhile are absorbed, so it
 * is forwarded once.
 */
class VerifyBudgetTest {
    private static final String FAST = "https://fast.shakengate.test/sti/1234.pem";
    private static final String SLOW = "https://slow.shakengate.test/sti/1234.pem";

    @Test
    void shouldHoldOnlyTheCallWhoseCertificateIsSlow() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        byte[] chain = (ee.certPem() + pki.intermediate.certPem()).getBytes(StandardCharsets.US_ASCII);
        CertificateFetcher slowHost = url -> CompletableFuture.supplyAsync(
                () -> new CertificateFetcher.Response(200, chain, null, null, null),
                CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS));
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT, slowHost,
                System::currentTimeMillis);
        cache.preload(FAST, chain);
        PassportVerifier verifier = new PassportVerifier(PassportVerifier.Config.DEFAULT, cache,
                new ChainValidator(Set.of(new TrustAnchor(pki.root.cert(), null)), null),
                () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected());
        SignerPool keys = new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate());
        Map<String, PassportSigner> signers = new HashMap<>();
        signers.put(FAST, new PassportSigner(keys, FAST));
        signers.put(SLOW, new PassportSigner(keys, SLOW));

        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket uas = new DatagramSocket(0, lo); DatagramSocket uac = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT)) {
            InetSocketAddress proxy = server.bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    Role.VERIFY, (InetSocketAddress) uas.getLocalSocketAddress()),
                    new ServiceConfig(null, Attestation.A, verifier, ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS));
            uas.setSoTimeout(5000);
            long start = System.nanoTime();
            String slowInvite = invite("slow-call", signers.get(SLOW));
            send(uac, proxy, slowInvite);
            for (int i = 0; i < 50; i++) {
                send(uac, proxy, invite("fast-call-" + i, signers.get(FAST)));
            }
            // the UAC retransmits the held INVITE at 500 ms and 1 s (Timer A): absorbed, not forwarded twice
            Thread retransmit = new Thread(() -> {
                try {
                    Thread.sleep(500);
                    send(uac, proxy, slowInvite);
                    Thread.sleep(500);
                    send(uac, proxy, slowInvite);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "retransmit");
            retransmit.start();
            Map<String, Long> arrivedMillis = new HashMap<>();
            Map<String, Integer> copies = new HashMap<>();
            Map<String, String> verstat = new HashMap<>();
            byte[] buf = new byte[65535];
            while (arrivedMillis.size() < 51) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    uas.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                String callId = header(msg, "Call-ID");
                copies.merge(callId, 1, Integer::sum);
                arrivedMillis.putIfAbsent(callId, (System.nanoTime() - start) / 1_000_000);
                String pai = header(msg, "P-Asserted-Identity");
                verstat.put(callId, pai.replaceAll(".*verstat=([A-Za-z-]+).*", "$1"));
            }
            retransmit.join(5000);
            assertEquals(51, arrivedMillis.size(), "every call went on: " + arrivedMillis.keySet());
            for (int i = 0; i < 50; i++) {
                String id = "fast-call-" + i;
                assertTrue(arrivedMillis.get(id) < 1000, id + " waited " + arrivedMillis.get(id) + " ms");
                assertEquals("TN-Validation-Passed", verstat.get(id), id);
            }
            long slow = arrivedMillis.get("slow-call");
            assertTrue(slow >= 1400 && slow < 2900, "the slow call went on at its budget: " + slow + " ms");
            assertEquals("No-TN-Validation", verstat.get("slow-call"));
            assertEquals(1, server.counters().get(ProxyCounters.Event.VERIFY_TIMEOUT));
            // nothing more comes: the two retransmissions were absorbed while the original waited
            uas.setSoTimeout(700);
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                uas.receive(p);
                copies.merge(header(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII), "Call-ID"), 1,
                        Integer::sum);
            } catch (SocketTimeoutException expected) {
                // nothing more
            }
            assertEquals(1, copies.get("slow-call"), "the held INVITE was forwarded once");
            assertEquals(2, server.counters().get(ProxyCounters.Event.RETRANSMISSION_ABSORBED));
        }
    }

    private static String header(String msg, String name) {
        for (String line : msg.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    private static void send(DatagramSocket s, InetSocketAddress to, String msg) throws Exception {
        byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }

    private static String invite(String callId, PassportSigner signer) {
        String identity = signer.identity(new ShakenClaims(Attestation.A, "12155550121", List.of("12155550131"),
                System.currentTimeMillis() / 1000, "0d6b7f4e-1c3a-4b8e-9d2f-5a6b7c8d9e0f"));
        return "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+12155550121@127.0.0.1;user=phone>;tag=" + callId + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                + "P-Asserted-Identity: <sip:+12155550121@127.0.0.1;user=phone>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Identity: " + identity + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
