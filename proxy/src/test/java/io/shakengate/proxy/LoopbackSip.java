package io.shakengate.proxy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain-socket SIP for the proxy tests: a minimal INVITE, one datagram out, one in, the attestation signed. */
public final class LoopbackSip {
    private LoopbackSip() {
    }

    /** An INVITE from {@code from} to {@code to} (E.164 digits) sent from {@code viaPort}; a dialog's if {@code toTag}. */
    public static String invite(int viaPort, String id, String from, String to, String toTag) {
        return "INVITE sip:+" + to + "@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + viaPort + ";branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+" + from + "@127.0.0.1;user=phone>;tag=" + id + "\r\n"
                + "To: <sip:+" + to + "@127.0.0.1;user=phone>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /**
     * An INVITE from +12155550121 (also in P-Asserted-Identity) to +12155550131 carrying {@code identity} as its
     * Identity header (none if null), as a verify point receives it.
     */
    public static String signedInvite(int viaPort, String callId, String identity) {
        return "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + viaPort + ";branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+12155550121@127.0.0.1;user=phone>;tag=" + callId + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                + "P-Asserted-Identity: <sip:+12155550121@127.0.0.1;user=phone>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + (identity == null ? "" : "Identity: " + identity + "\r\n")
                + "Content-Length: 0\r\n\r\n";
    }

    /** Sends {@code text} as one datagram. */
    public static void send(DatagramSocket from, InetSocketAddress to, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, to));
    }

    /** The next datagram {@code s} receives, as text. */
    public static String receive(DatagramSocket s) throws Exception {
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    /** Reads and drops what is already queued on {@code s}. */
    public static void drain(DatagramSocket s) throws Exception {
        int timeout = s.getSoTimeout();
        s.setSoTimeout(50);
        try {
            while (true) {
                receive(s);
            }
        } catch (java.net.SocketTimeoutException empty) {
            // nothing left
        } finally {
            s.setSoTimeout(timeout);
        }
    }

    /**
     * Sends INVITEs with Call-IDs {@code prefix}0, 1... from {@code caller} to {@code point} until one arrives at
     * {@code to} (a next hop that moved: its socket's timeout paces the tries), for at most {@code seconds}.
     */
    public static boolean followed(DatagramSocket caller, InetSocketAddress point, DatagramSocket to, String prefix,
                                   int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        for (int i = 0; System.nanoTime() < deadline; i++) {
            send(caller, point, invite(caller.getLocalPort(), prefix + i, "12155550121", "12155550131", null));
            try {
                if (receive(to).contains("Call-ID: " + prefix)) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException notYet) {
                // the old address still
            }
        }
        return false;
    }

    /** The claims (JSON text) of the first Identity header of {@code invite}. */
    public static String claims(String invite) {
        int i = invite.indexOf("\r\nIdentity: ");
        assertTrue(i >= 0, invite);
        String token = invite.substring(i + 12, invite.indexOf(';', i));
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    /** The {@code attest} claim of the first Identity header of {@code invite}. */
    public static String attest(String invite) {
        return claims(invite).replaceAll(".*\"attest\":\"([ABC])\".*", "$1");
    }

    /** One message head off a stream connection, to its blank line (the tests' INVITEs have no body). */
    public static String readHead(java.net.Socket s) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = s.getInputStream().read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }
}
