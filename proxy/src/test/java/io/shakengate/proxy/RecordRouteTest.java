package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.shakengate.proxy.config.ApplianceConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Record-Route (RFC 3261 16.6 step 4, 16.4): a point with recordRoute adds itself to the INVITE; the callee's
 * BYE, routed back through it by that Route, has the Route removed and goes to its Request-URI (the caller),
 * not to the point's configured next hop; the caller's ACK likewise reaches the callee's Contact. Across
 * transports (RFC 5658): two Record-Routes, each side reaching the point over its own transport.
 */
class RecordRouteTest {
    @Test
    void theDialogComesBackThroughThePointAndGoesByItsRoute() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket uac = new DatagramSocket(0, lo); DatagramSocket uas = new DatagramSocket(0, lo)) {
            uac.setSoTimeout(3000);
            uas.setSoTimeout(3000);
            String yaml = String.join("\n",
                    "listeningPoints:",
                    "  - { name: fwd, listen: \"127.0.0.1:0\", nextHop: \"127.0.0.1:" + uas.getLocalPort()
                            + "\", recordRoute: true }",
                    "");
            ApplianceConfig c = ApplianceConfig.parse(yaml, "t.yaml");
            assertTrue(c.describe().contains("Record-Route"), c.describe());
            try (Appliance a = Appliance.start(c)) {
                InetSocketAddress point = a.bound().get(0);
                String me = "127.0.0.1:" + point.getPort();
                String invite = LoopbackSip.invite(uac.getLocalPort(), "rr1", "12155550121", "12155550131", null)
                        .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:"
                                + uac.getLocalPort() + ">\r\n");
                LoopbackSip.send(uac, point, invite);
                String got = LoopbackSip.receive(uas);
                assertTrue(got.contains("\r\nRecord-Route: <sip:" + me + ";lr>\r\n"), got);

                // the caller's ACK for the 2xx: Route to the point, Request-URI the callee's Contact
                String ack = "ACK sip:callee@127.0.0.1:" + uas.getLocalPort() + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + uac.getLocalPort() + ";branch=z9hG4bK-rr1-ack\r\n"
                        + "Route: <sip:" + me + ";lr>\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1>;tag=rr1\r\n"
                        + "To: <sip:+12155550131@127.0.0.1>;tag=uas1\r\nCall-ID: rr1\r\nCSeq: 1 ACK\r\n"
                        + "Content-Length: 0\r\n\r\n";
                LoopbackSip.send(uac, point, ack);
                got = LoopbackSip.receive(uas);
                assertTrue(got.startsWith("ACK ") && !got.contains("\r\nRoute:"), got);

                // the callee's BYE: Route to the point, Request-URI the caller's Contact; it must reach the caller
                String bye = "BYE sip:caller@127.0.0.1:" + uac.getLocalPort() + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + uas.getLocalPort() + ";branch=z9hG4bK-rr1-bye\r\n"
                        + "Route: <sip:" + me + ";lr>\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:+12155550131@127.0.0.1>;tag=uas1\r\n"
                        + "To: <sip:+12155550121@127.0.0.1>;tag=rr1\r\nCall-ID: rr1\r\nCSeq: 2 BYE\r\n"
                        + "Content-Length: 0\r\n\r\n";
                LoopbackSip.send(uas, point, bye);
                got = LoopbackSip.receive(uac);
                assertTrue(got.startsWith("BYE sip:caller@") && !got.contains("\r\nRoute:"), got);
                assertTrue(got.contains("\r\nVia: SIP/2.0/UDP " + me + ";branch="), got);
                assertFalse(got.contains("Record-Route"), "only dialog-creating INVITEs are record-routed: " + got);
                assertForwarded(a, 3);
            }
        }
    }

    /**
     * A UDP point sending over TCP and a TCP point on the same address sending over that UDP point's socket, both
     * record-routing: the INVITE (UDP in, TCP out) carries two Record-Routes, the TCP one on top; the callee's
     * BYE, over a new TCP connection with both Routes, reaches the caller over UDP without them; the caller's ACK,
     * over UDP with both Routes in the caller's order, reaches the callee over TCP without them.
     */
    @Test
    void acrossTransportsEachSideReachesThePointOverItsOwn() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, lo)) {
            port = probe.getLocalPort();
        }
        try (DatagramSocket uac = new DatagramSocket(0, lo); ServerSocket uas = new ServerSocket(0, 5, lo)) {
            uac.setSoTimeout(3000);
            uas.setSoTimeout(3000);
            String me = "127.0.0.1:" + port;
            ApplianceConfig c = ApplianceConfig.parse(String.join("\n",
                    "listeningPoints:",
                    "  - { name: edge, listen: \"" + me + "\", nextHop: \"127.0.0.1:" + uas.getLocalPort()
                            + "\", nextHopTransport: tcp, recordRoute: true }",
                    "  - { name: edge-tcp, transport: tcp, listen: \"" + me + "\", nextHop: \"127.0.0.1:"
                            + uac.getLocalPort() + "\", nextHopTransport: udp, udpPoint: edge, recordRoute: true }",
                    ""), "t.yaml");
            try (Appliance a = Appliance.start(c)) {
                String invite = LoopbackSip.invite(uac.getLocalPort(), "rr2", "12155550121", "12155550131", null)
                        .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:"
                                + uac.getLocalPort() + ">\r\n");
                LoopbackSip.send(uac, new InetSocketAddress(lo, port), invite);
                try (Socket leg = uas.accept()) {
                    leg.setSoTimeout(3000);
                    String got = readSip(leg.getInputStream());
                    assertTrue(got.contains("\r\nRecord-Route: <sip:" + me + ";transport=tcp;lr>\r\n"
                            + "Record-Route: <sip:" + me + ";lr>\r\n"), got);
                    assertTrue(got.contains("\r\nVia: SIP/2.0/TCP " + me + ";branch="), got);

                    // the callee's BYE over a connection of its own to the upper Record-Route (TCP)
                    try (Socket back = new Socket(lo, port)) {
                        write(back.getOutputStream(), "BYE sip:caller@127.0.0.1:" + uac.getLocalPort()
                                + " SIP/2.0\r\n"
                                + "Via: SIP/2.0/TCP 127.0.0.1:" + uas.getLocalPort() + ";branch=z9hG4bK-rr2-bye\r\n"
                                + "Route: <sip:" + me + ";transport=tcp;lr>, <sip:" + me + ";lr>\r\n"
                                + "Max-Forwards: 70\r\nFrom: <sip:+12155550131@127.0.0.1>;tag=uas2\r\n"
                                + "To: <sip:+12155550121@127.0.0.1>;tag=rr2\r\nCall-ID: rr2\r\nCSeq: 2 BYE\r\n"
                                + "Content-Length: 0\r\n\r\n");
                        got = LoopbackSip.receive(uac);
                        assertTrue(got.startsWith("BYE sip:caller@") && !got.contains("\r\nRoute:"), got);
                        assertTrue(got.contains("\r\nVia: SIP/2.0/UDP " + me + ";branch="), got);
                    }

                    // the caller's ACK over UDP, the Routes in its order (the lower Record-Route first)
                    LoopbackSip.send(uac, new InetSocketAddress(lo, port), "ACK sip:callee@127.0.0.1:"
                            + uas.getLocalPort() + ";transport=tcp SIP/2.0\r\n"
                            + "Via: SIP/2.0/UDP 127.0.0.1:" + uac.getLocalPort() + ";branch=z9hG4bK-rr2-ack\r\n"
                            + "Route: <sip:" + me + ";lr>\r\nRoute: <sip:" + me + ";transport=tcp;lr>\r\n"
                            + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1>;tag=rr2\r\n"
                            + "To: <sip:+12155550131@127.0.0.1>;tag=uas2\r\nCall-ID: rr2\r\nCSeq: 1 ACK\r\n"
                            + "Content-Length: 0\r\n\r\n");
                    got = readSip(leg.getInputStream());
                    assertTrue(got.startsWith("ACK sip:callee@") && !got.contains("\r\nRoute:"), got);
                }
                assertForwarded(a, 3);
            }
        }
    }

    /** Record-routing across transports without the twin point is refused, naming the line and what is missing. */
    @Test
    void aPointRecordRoutingAcrossTransportsNeedsItsTwin() {
        String udpOnly = String.join("\n",
                "listeningPoints:",
                "  - { name: edge, listen: \"127.0.0.1:5090\", nextHop: \"127.0.0.1:5091\", nextHopTransport: tcp,"
                        + " recordRoute: true }",
                "");
        io.shakengate.proxy.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.shakengate.proxy.config.ConfigException.class,
                () -> ApplianceConfig.parse(udpOnly, "t.yaml"));
        assertTrue(e.getMessage().contains("line 2: listening point 'edge' record-routes and sends over tcp")
                && e.getMessage().contains("a tcp point must listen there with nextHopTransport: udp, udpPoint: edge"
                + " and recordRoute: true"), e.getMessage());
        String twinWithoutRecordRoute = udpOnly + "  - { name: edge-tcp, transport: tcp, listen: \"127.0.0.1:5090\","
                + " nextHop: \"127.0.0.1:5092\", nextHopTransport: udp, udpPoint: edge }\n";
        e = org.junit.jupiter.api.Assertions.assertThrows(io.shakengate.proxy.config.ConfigException.class,
                () -> ApplianceConfig.parse(twinWithoutRecordRoute, "t.yaml"));
        assertTrue(e.getMessage().contains("line 2: listening point 'edge'"), e.getMessage());
        ApplianceConfig.parse(twinWithoutRecordRoute.replace("udpPoint: edge }", "udpPoint: edge, recordRoute: true }"),
                "t.yaml");
    }

    /** {@code n} requests forwarded (counted just after each send: waits up to 2 s). */
    private static void assertForwarded(Appliance a, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED), "forwarded");
    }

    /** One SIP message without a body from a stream: up to the blank line. */
    private static String readSip(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
