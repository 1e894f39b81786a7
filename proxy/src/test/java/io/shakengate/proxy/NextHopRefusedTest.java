package io.shakengate.proxy;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A next hop that refuses the TCP connection: the INVITE gets a prompt 503 with Retry-After (counted
 * next_hop_unreachable), not silence until the caller's timer B fires; once the next hop listens again, the
 * next INVITE goes through.
 */
class NextHopRefusedTest {
    @TempDir
    Path dir;

    private static String invite(int callerPort, String id) {
        return "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + callerPort + ";branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=" + id + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: " + id + "\r\n"
                + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void aRefusedConnectionIsAPrompt503() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        int point = Sipp.freeUdpPort();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: sign, nextHop: "
                + "\"127.0.0.1:" + closed + "\", nextHopTransport: tcp }\n";
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "t.yaml"));
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            caller.setSoTimeout(3000);
            byte[] b = invite(caller.getLocalPort(), "refused-1").getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            caller.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", point)));
            byte[] buf = new byte[65535];
            DatagramPacket got = new DatagramPacket(buf, buf.length);
            caller.receive(got);
            long millis = (System.nanoTime() - start) / 1_000_000;
            String answer = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("SIP/2.0 503 "), answer);
            assertTrue(answer.contains("\r\nRetry-After: 5\r\n"), answer);
            assertTrue(answer.contains("Call-ID: refused-1"), answer);
            assertTrue(millis < 2500, "prompt: " + millis + " ms");
            assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
            assertEquals(1, appliance.server().counters().refusals("out", "127.0.0.1:" + closed), "counted by next hop");

            try (ServerSocket next = new ServerSocket(closed, 1, InetAddress.getLoopbackAddress())) {
                next.setSoTimeout(3000);
                byte[] again = invite(caller.getLocalPort(), "refused-2").getBytes(StandardCharsets.US_ASCII);
                caller.send(new DatagramPacket(again, again.length, new InetSocketAddress("127.0.0.1", point)));
                try (java.net.Socket accepted = next.accept()) {
                    accepted.setSoTimeout(3000);
                    byte[] in = new byte[4096];
                    int n = accepted.getInputStream().read(in);
                    String forwarded = new String(in, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
                    assertTrue(forwarded.startsWith("INVITE ") && forwarded.contains("Call-ID: refused-2"), forwarded);
                }
            }
            assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
        }
    }
}
