package io.shakengate.proxy;

import io.shakengate.proxy.config.ApplianceConfig;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Record-Route (RFC 3261 16.6 step 4, 16.4): a point with recordRoute adds itself to the INVITE; the callee's
 * BYE, routed back through it by that Route, has the Route removed and goes to its Request-URI (the caller),
 * not to the point's configured next hop; the caller's ACK likewise reaches the callee's Contact.
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
                long deadline = System.nanoTime() + 2_000_000_000L; // counted just after the send
                while (a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED) < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(3, a.server().counters().get(ProxyCounters.Event.REQUEST_FORWARDED), "forwarded");
            }
        }
    }
}
