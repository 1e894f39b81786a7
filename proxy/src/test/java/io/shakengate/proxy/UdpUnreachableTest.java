package io.shakengate.proxy;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A UDP next hop whose port is unreachable (the kernel's ICMP port-unreachable, seen by the point's watch
 * socket): the INVITE gets a prompt 503 + Retry-After, counted by next hop, instead of silence until the caller's
 * timer B; a list of addresses fails over to the next at once; once the hop listens, the call goes through and
 * its responses (which arrive on the watch socket) reach the caller. {@code sipUdp.watchedHops: 0} turns the
 * watch off (the INVITE then goes unanswered, as before).
 */
class UdpUnreachableTest {
    @TempDir
    Path dir;

    private String yaml(int point, String nextHop, String extra) throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        return "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n" + extra
                + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: sign, nextHop: "
                + nextHop + " }\n";
    }

    private static void requireEpoll() {
        Assumptions.assumeTrue(io.shakengate.proxy.transport.Transports.detect().epoll(),
                "the watch needs the native epoll transport");
    }

    @Test
    void anUnreachablePortIsAPrompt503AndTheCallGoesThroughOnceItListens() throws Exception {
        requireEpoll();
        int point = Sipp.freeUdpPort();
        int hop = Sipp.freeUdpPort(); // nothing listens there yet
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml(point, "\"127.0.0.1:" + hop + "\"", ""),
                "t.yaml"));
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            ProxyCounters c = appliance.server().counters();
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
            caller.setSoTimeout(3000);
            long start = System.nanoTime();
            LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), "icmp-1", "12155550121",
                    "12155550131", null));
            String answer = LoopbackSip.receive(caller);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(answer.startsWith("SIP/2.0 503 ") && answer.contains("\r\nRetry-After: 5\r\n")
                    && answer.contains("Call-ID: icmp-1"), answer);
            assertTrue(millis < 1500, "prompt, not timer B: " + millis + " ms");
            assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
            assertEquals(1, c.refusals("out", "127.0.0.1:" + hop), "counted by next hop");

            try (DatagramSocket uas = new DatagramSocket(hop, InetAddress.getLoopbackAddress())) {
                uas.setSoTimeout(3000);
                LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), "icmp-2", "12155550121",
                        "12155550131", null));
                byte[] buf = new byte[65535];
                DatagramPacket got = new DatagramPacket(buf, buf.length);
                uas.receive(got);
                String forwarded = new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
                assertTrue(forwarded.startsWith("INVITE ") && forwarded.contains("Call-ID: icmp-2"), forwarded);
                assertEquals(point, got.getPort(), "sent from the point's own port, as its Via says");
                // the answer comes back to the point's port, where the watch socket (connected to the UAS) reads it
                LoopbackSip.send(uas, new InetSocketAddress("127.0.0.1", point), response(forwarded, "180 Ringing"));
                LoopbackSip.send(uas, new InetSocketAddress("127.0.0.1", point), response(forwarded, "200 OK"));
                String ringing = LoopbackSip.receive(caller);
                assertTrue(ringing.startsWith("SIP/2.0 180 "), ringing);
                String ok = LoopbackSip.receive(caller);
                assertTrue(ok.startsWith("SIP/2.0 200 ") && ok.contains("Call-ID: icmp-2"), ok);
                Thread.sleep(400); // past the wait: the INVITE that arrived is not answered 503 later
                caller.setSoTimeout(200);
                assertEquals(null, receiveOrNull(caller));
                assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
            }
        }
    }

    @Test
    void aListFailsOverPastAnUnreachableAddress() throws Exception {
        requireEpoll();
        int point = Sipp.freeUdpPort();
        int closed = Sipp.freeUdpPort();
        try (DatagramSocket second = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            second.setSoTimeout(3000);
            String list = "[\"127.0.0.1:" + closed + "\", \"127.0.0.1:" + second.getLocalPort() + "\"], holdDownSeconds: 30";
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml(point, list, ""), "t.yaml"))) {
                ProxyCounters c = appliance.server().counters();
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), "icmp-list-" + i,
                            "12155550121", "12155550131", null));
                    String got = LoopbackSip.receive(second);
                    assertTrue(got.contains("Call-ID: icmp-list-" + i), got);
                    ids.add("icmp-list-" + i);
                }
                assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER), "then held down: " + ids);
                assertEquals(0, c.get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
                assertEquals(1, c.refusals("out", "127.0.0.1:" + closed));
                caller.setSoTimeout(300);
                assertEquals(null, receiveOrNull(caller), "no 503: the second address took every INVITE");
            }
        }
    }

    @Test
    void theWatchCanBeTurnedOffAndItsSettingsAreChecked() throws Exception {
        requireEpoll();
        int point = Sipp.freeUdpPort();
        int hop = Sipp.freeUdpPort();
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml(point, "\"127.0.0.1:" + hop + "\"",
                "sipUdp: { watchedHops: 0 }\n"), "t.yaml"));
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            caller.setSoTimeout(700);
            LoopbackSip.send(caller, new InetSocketAddress("127.0.0.1", point), LoopbackSip.invite(
                    caller.getLocalPort(), "icmp-off", "12155550121", "12155550131", null));
            assertEquals(null, receiveOrNull(caller), "unwatched: the unreachable port goes unseen");
            assertEquals(0, appliance.server().counters().get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(
                yaml(point, "\"127.0.0.1:" + hop + "\"", "sipUdp:\n  unreachableWaitMillis: 0\n"), "t.yaml"));
        assertTrue(e.getMessage().contains("t.yaml: line 3") && e.getMessage().contains("sipUdp.unreachableWaitMillis"),
                e.getMessage());
    }

    /** A response to {@code request} with its Vias, From, To (tagged), Call-ID and CSeq. */
    private static String response(String request, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : request.split("\r\n")) {
            if (line.startsWith("Via:") || line.startsWith("From:") || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=uas\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    private static String receiveOrNull(DatagramSocket s) throws Exception {
        try {
            return LoopbackSip.receive(s);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
