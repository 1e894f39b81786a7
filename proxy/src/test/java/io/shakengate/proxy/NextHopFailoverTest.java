package io.shakengate.proxy;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A next hop given as two addresses (RFC 3263 section 4.3): the first refuses the TCP connection, the INVITE goes
 * on to the second at once (no 503, counted), the first is held down (the next INVITE goes straight to the
 * second), tried again when its hold-down is over; when both refuse, 503 + Retry-After. (A list over UDP:
 * UdpUnreachableTest.)
 */
class NextHopFailoverTest {
    @TempDir
    Path dir;

    private static String invite(int callerPort, String id) {
        return LoopbackSip.invite(callerPort, id, "12155550121", "12155550131", null);
    }

    @Test
    void aRefusingAddressIsHeldDownAndTheNextOneTakesTheRequest() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        int point = Sipp.freeUdpPort();
        int metricsPort = Sipp.freeTcpPort();
        int closed = Sipp.freeTcpPort(); // nothing listens there
        ServerSocket second = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        try (second; DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            second.setSoTimeout(3000);
            caller.setSoTimeout(300);
            String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                    + "metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }\n"
                    + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: sign,"
                    + " nextHopTransport: tcp, holdDownSeconds: 2, nextHop: [\"127.0.0.1:" + closed + "\", \"127.0.0.1:"
                    + second.getLocalPort() + "\"] }\n";
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "t.yaml"))) {
                ProxyCounters c = appliance.server().counters();
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
                send(caller, to, invite(caller.getLocalPort(), "fo-1"));
                try (Socket s = second.accept()) {
                    s.setSoTimeout(3000);
                    assertTrue(read(s).contains("Call-ID: fo-1"), "the refused INVITE went on to the second address");
                    assertEquals(null, answer(caller), "no 503: the second address took it");
                    assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER));
                    assertEquals(0, c.get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));

                    send(caller, to, invite(caller.getLocalPort(), "fo-2"));
                    assertTrue(read(s).contains("Call-ID: fo-2"));
                    assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER), "the first is held down");

                    Thread.sleep(2300); // the hold-down is over: the first is tried again, refuses again
                    send(caller, to, invite(caller.getLocalPort(), "fo-3"));
                    assertTrue(read(s).contains("Call-ID: fo-3"));
                    assertEquals(2, c.get(ProxyCounters.Event.NEXT_HOP_FAILED_OVER));
                    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    assertTrue(metrics.contains("shakengate_next_hop_refused_total{point=\"out\",hop=\"127.0.0.1:"
                            + closed + "\"} 2\n"), metrics);
                    assertTrue(metrics.contains("shakengate_next_hop_held_down{point=\"out\",hop=\"127.0.0.1:"
                            + closed + "\"} 1\n"), metrics);
                }
                second.close(); // both refuse now
                Thread.sleep(200);
                send(caller, to, invite(caller.getLocalPort(), "fo-4"));
                caller.setSoTimeout(3000);
                String answer = answer(caller);
                assertTrue(answer != null && answer.startsWith("SIP/2.0 503 ") && answer.contains("Call-ID: fo-4")
                        && answer.contains("\r\nRetry-After: "), String.valueOf(answer));
                assertEquals(1, c.get(ProxyCounters.Event.NEXT_HOP_UNREACHABLE));
            }
        }
    }

    @Test
    void aHoldDownWithoutAListIsRefusedWithItsLine() {
        ConfigException hold = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(
                "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:5070\", nextHop: \"127.0.0.1:5080\","
                        + " holdDownSeconds: 5 }\n", "t.yaml"));
        assertTrue(hold.getMessage().contains("holdDownSeconds goes with a nextHop list"), hold.getMessage());
    }

    private static void send(DatagramSocket caller, InetSocketAddress to, String m) throws Exception {
        LoopbackSip.send(caller, to, m);
    }

    private static String answer(DatagramSocket caller) throws Exception {
        byte[] buf = new byte[65535];
        DatagramPacket got = new DatagramPacket(buf, buf.length);
        try {
            caller.receive(got);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(buf, 0, got.getLength(), StandardCharsets.US_ASCII);
    }

    private static String read(Socket s) throws Exception {
        return LoopbackSip.readHead(s);
    }
}
