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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A UDP retransmission of an INVITE a sign point signed goes on byte for byte as the first did (the same
 * Identity, not signed again; counted); another INVITE is signed anew.
 */
class SignedRetransmissionTest {
    @TempDir
    Path dir;

    private static String invite(int callerPort, String id) {
        return LoopbackSip.invite(callerPort, id, "12155550121", "12155550131", null);
    }

    @Test
    void aRetransmittedInviteGoesOnWithTheSameIdentity() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        int point = Sipp.freeUdpPort();
        try (DatagramSocket next = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            next.setSoTimeout(3000);
            String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                    + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: sign, nextHop: "
                    + "\"127.0.0.1:" + next.getLocalPort() + "\" }\n";
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "t.yaml"))) {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
                String first = sendAndForward(caller, next, to, invite(caller.getLocalPort(), "rtx-1"));
                Thread.sleep(1100); // a later iat would change a PASSporT signed again
                String again = sendAndForward(caller, next, to, invite(caller.getLocalPort(), "rtx-1"));
                String other = sendAndForward(caller, next, to, invite(caller.getLocalPort(), "rtx-2"));
                assertTrue(first.contains("\r\nIdentity: "), first);
                assertEquals(first, again, "the retransmission goes on as the first did");
                assertNotEquals(identity(first), identity(other), "another INVITE is signed anew");
                ProxyCounters c = appliance.server().counters();
                assertEquals(2, c.get(ProxyCounters.Event.SIGNED));
                assertEquals(1, c.get(ProxyCounters.Event.RETRANSMISSION_SAME_IDENTITY));
            }
        }
    }

    private static String identity(String m) {
        int i = m.indexOf("\r\nIdentity: ");
        return m.substring(i, m.indexOf("\r\n", i + 2));
    }

    private static String sendAndForward(DatagramSocket caller, DatagramSocket next, InetSocketAddress to, String m)
            throws Exception {
        byte[] b = m.getBytes(StandardCharsets.US_ASCII);
        caller.send(new DatagramPacket(b, b.length, to));
        byte[] buf = new byte[65535];
        DatagramPacket got = new DatagramPacket(buf, buf.length);
        next.receive(got);
        return new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
    }
}
