package io.shakengate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.netty.SipDatagramDecoder;
import io.shakengate.codec.netty.SipParseErrorCounters;
import io.shakengate.codec.testing.SipMutator;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.transport.StreamGate;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile traffic beside normal load: SIPp calls over UDP and TCP through a sign point while the same points
 * get mutated datagrams (the codec's mutation generator), garbage, oversized messages, mutated and truncated
 * TCP messages, slow-loris connections and floods of connections that never send. The calls all complete;
 * every hostile datagram is counted under the reason the codec gives it; every connection the limits close is
 * counted under its reason (sipStreams: per address, per point, idle, slow message) as the hostile side saw it.
 */
class HostileTrafficTest {
    /**
     * An IPv4 literal outside 127/8 or an IPv6 literal anywhere in a message (a Via, folded or not, may name it):
     * an answer to it would leave loopback, so such a mutation is not sent.
     */
    private static final Pattern FOREIGN_ADDRESS = Pattern.compile("(?<![0-9.])(?!127\\.)[0-9]{1,3}\\.[0-9]{1,3}"
            + "\\.[0-9]{1,3}\\.[0-9]{1,3}|\\[[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\\]");
    private static final int CALLS = 200;

    /** SIPp's logs stay for a look after a failure. */
    private final Path dir = Path.of("target", "hostile-traffic").toAbsolutePath();

    @Test
    void normalCallsCompleteWhileHostileTrafficIsCountedByReason() throws Exception {
        Files.createDirectories(dir);
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        int udpPoint = Sipp.freeUdpPort();
        int tcpPoint = Sipp.freeTcpPort();
        int uasUdp = Sipp.freeUdpPort();
        int uasTcp = Sipp.freeTcpPort();
        int junkPoint = Sipp.freeTcpPort();
        String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                + "sipStreams: { maxConnections: 100, maxPerAddress: 40, idleSeconds: 4, messageSeconds: 3 }\n"
                + "listeningPoints:\n"
                + "  - { name: in-udp, listen: \"127.0.0.1:" + udpPoint + "\", role: sign, nextHop: \"127.0.0.1:"
                + uasUdp + "\" }\n"
                + "  - { name: in-tcp, transport: tcp, listen: \"127.0.0.1:" + tcpPoint + "\", role: sign, nextHop: "
                + "\"127.0.0.1:" + uasTcp + "\" }\n"
                // mutated TCP messages that parse go on to a sink, not to SIPp's UAS: SIPp closes its connection on
                // what it cannot parse, and the calls in flight on it would be lost by SIPp, not by the appliance
                + "  - { name: junk-tcp, transport: tcp, listen: \"127.0.0.1:" + junkPoint + "\", role: sign, nextHop: "
                + "\"127.0.0.1:SINK\" }\n";
        List<Process> sipps = new ArrayList<>();
        try (Sink sink = new Sink();
             Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml.replace("SINK",
                     Integer.toString(sink.port())), "hostile.yaml"))) {
            StreamGate gate = gate(appliance, "in-tcp");
            StreamGate junk = gate(appliance, "junk-tcp");
            sipps.add(Sipp.start(dir.resolve("uas-udp.log"), "-sn", "uas", "-i", "127.0.0.1", "-p",
                    Integer.toString(uasUdp)));
            sipps.add(Sipp.start(dir.resolve("uas-tcp.log"), "-sn", "uas", "-i", "127.0.0.1", "-p",
                    Integer.toString(uasTcp), "-t", "t1"));
            Thread.sleep(300);
            Process uacUdp = Sipp.start(dir.resolve("uac-udp.log"), "-sn", "uac", "-i", "127.0.0.1", "-p",
                    Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + udpPoint, "-r", "10", "-m",
                    Integer.toString(CALLS));
            Process uacTcp = Sipp.start(dir.resolve("uac-tcp.log"), "-sn", "uac", "-i", "127.0.0.1", "-p",
                    Integer.toString(Sipp.freeTcpPort()), "127.0.0.1:" + tcpPoint, "-r", "10", "-m",
                    Integer.toString(CALLS), "-t", "t1");
            sipps.add(uacUdp);
            sipps.add(uacTcp);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (gate.open() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50); // SIPp's one TCP connection is in before the floods
            }
            assertEquals(1, gate.open(), "SIPp's TCP connection");

            AtomicBoolean calling = new AtomicBoolean(true);
            Map<SipParseError, Long> expected = new EnumMap<>(SipParseError.class);
            AtomicInteger datagrams = new AtomicInteger();
            Thread udp = new Thread(() -> datagrams.set(hostileDatagrams(udpPoint, calling, expected)), "hostile-udp");
            AtomicInteger streamsSent = new AtomicInteger();
            Thread tcp = new Thread(() -> hostileStreams(junkPoint, calling, streamsSent), "hostile-tcp");
            udp.start();
            tcp.start();

            // slow-loris: 10 connections from 127.0.0.2, a header line begun, one byte a second
            List<Socket> slow = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = connect("127.0.0.2", tcpPoint);
                s.getOutputStream().write(("INVITE sip:+12155550131@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2;"
                        + "branch=z9hG4bK-slow" + i + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            // a flood of connections that never send, 60 from 127.0.0.3: 40 admitted, 20 closed at once
            List<Socket> perAddress = flood("127.0.0.3", tcpPoint, 60);
            int perAddressRefused = refused(perAddress);
            assertEquals(20, perAddressRefused, "60 from one address, 40 allowed");
            // then 80 more from two addresses (40 each, within the per-address limit): the point's 100 fill up
            List<Socket> wide = flood("127.0.0.5", tcpPoint, 40);
            wide.addAll(flood("127.0.0.6", tcpPoint, 40));
            int wideRefused = refused(wide);
            assertTrue(wideRefused >= 20, "the point holds at most 100 connections: " + wideRefused + " refused of 80");
            assertTrue(gate.open() <= 100, "open: " + gate.open());

            // the slow senders keep dripping; all of them are closed within messageSeconds (3 s) + the check (1 s)
            int slowClosed = 0;
            for (int second = 0; second < 8 && slowClosed < slow.size(); second++) {
                slowClosed = 0;
                for (Socket s : slow) {
                    if (!drip(s)) {
                        slowClosed++;
                    }
                }
                Thread.sleep(1000);
            }
            assertEquals(10, slowClosed, "every slow-loris connection was closed by the appliance");
            // the silent ones are closed after idleSeconds (4 s) + the check (1 s), counted from their last byte
            Thread.sleep(3000);
            int idleClosed = 0;
            for (Socket s : concat(perAddress, wide)) {
                if (closedByPeer(s)) {
                    idleClosed++;
                }
            }
            int admittedSilent = perAddress.size() - perAddressRefused + wide.size() - wideRefused;
            assertEquals(perAddress.size() + wide.size(), idleClosed, "every flood connection closed (refused or idle)");

            int udpExit = Sipp.waitFor(uacUdp, 90);
            int tcpExit = Sipp.waitFor(uacTcp, 90);
            calling.set(false);
            udp.join(10_000);
            tcp.join(10_000);
            for (Socket s : concat(concat(slow, perAddress), wide)) {
                s.close();
            }
            String detail = appliance.server().counters() + "\n" + gateCounts(gate) + "\nUAC udp:\n"
                    + Sipp.tail(dir.resolve("uac-udp.log")) + "\nUAC tcp:\n" + Sipp.tail(dir.resolve("uac-tcp.log"));
            assertEquals(0, udpExit, "every UDP call completed beside the hostile datagrams: " + detail);
            assertEquals(0, tcpExit, "every TCP call completed beside the hostile connections: " + detail);

            assertEquals(perAddressRefused, gate.closed(StreamGate.Reason.MAX_PER_ADDRESS), detail);
            assertTrue(gate.closed(StreamGate.Reason.MAX_CONNECTIONS) >= wideRefused, detail);
            assertEquals(10, gate.closed(StreamGate.Reason.SLOW_MESSAGE), detail);
            assertTrue(gate.closed(StreamGate.Reason.IDLE) >= admittedSilent, detail);
            assertTrue(junk.closed(StreamGate.Reason.MID_MESSAGE) > 0, "truncated TCP messages: " + gateCounts(junk));
            assertEquals(0, gate.closed(StreamGate.Reason.MID_MESSAGE), "SIPp's connection was never cut: " + detail);
            assertTrue(datagrams.get() > 500 && streamsSent.get() > 50,
                    datagrams.get() + " datagrams, " + streamsSent.get() + " TCP messages");
            // every datagram the codec refuses is counted under the codec's reason (TCP adds to some of them)
            SipParseErrorCounters counted = appliance.server().parseErrors();
            for (Map.Entry<SipParseError, Long> e : expected.entrySet()) {
                assertTrue(counted.count(e.getKey()) >= e.getValue(), e.getKey() + ": expected at least "
                        + e.getValue() + ", counted " + counted.count(e.getKey()));
            }
            assertTrue(expected.getOrDefault(SipParseError.GARBAGE, 0L) > 0
                    && expected.getOrDefault(SipParseError.HEADER_BLOCK_TOO_LARGE, 0L) > 0, expected.toString());
            System.out.println("hostile: " + datagrams.get() + " datagrams " + expected + ", " + streamsSent.get()
                    + " TCP messages; " + gateCounts(gate) + "; " + gateCounts(junk));
        } finally {
            for (Process p : sipps) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * Sends hostile datagrams to the point until {@code calling} ends (at most 40 s): mutated messages, garbage
     * and 60 KB header blocks; counts into {@code expected} the reason the codec's datagram decoder gives each.
     */
    private static int hostileDatagrams(int port, AtomicBoolean calling, Map<SipParseError, Long> expected) {
        Random random = new Random(7);
        SipParseErrorCounters local = new SipParseErrorCounters();
        EmbeddedChannel decoder = new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT, local));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        int sent = 0;
        long end = System.nanoTime() + 40_000_000_000L;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            while (calling.get() && System.nanoTime() < end) {
                byte[] b;
                if (sent % 50 == 7) {
                    b = new byte[200 + random.nextInt(800)];
                    random.nextBytes(b);
                    b[0] = (byte) 0xfe; // not a method's first letter
                } else if (sent % 100 == 3) {
                    b = oversized();
                } else {
                    b = SipMutator.next(random);
                    if (b.length == 0 || FOREIGN_ADDRESS.matcher(new String(b, StandardCharsets.ISO_8859_1)).find()) {
                        continue;
                    }
                }
                s.send(new java.net.DatagramPacket(b, b.length, to));
                decoder.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(b), to,
                        (InetSocketAddress) s.getLocalSocketAddress()));
                for (Object o; (o = decoder.readInbound()) != null; ) {
                    ReferenceCountUtil.release(o);
                }
                sent++;
                Thread.sleep(4);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            decoder.finishAndReleaseAll();
        }
        for (SipParseError e : SipParseError.values()) {
            if (e != SipParseError.KEEPALIVE && local.count(e) > 0) {
                expected.put(e, local.count(e));
            }
        }
        return sent;
    }

    /** A request whose header block is 56 KB (the limit is 32 KB) in 8 header fields of 7 KB (within their limits). */
    private static byte[] oversized() {
        StringBuilder b = new StringBuilder("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-big\r\n");
        while (b.length() < 56_000) {
            b.append("X-Padding: ").append("a".repeat(7000)).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Until {@code calling} ends (at most 40 s), every 20 ms a new connection from 127.0.0.4 sends a mutated
     * message (some truncated, some with an oversized header block), then closes.
     */
    private static void hostileStreams(int port, AtomicBoolean calling, AtomicInteger sent) {
        Random random = new Random(11);
        long end = System.nanoTime() + 40_000_000_000L;
        while (calling.get() && System.nanoTime() < end) {
            byte[] b = sent.get() % 20 == 5 ? oversized() : SipMutator.next(random);
            if (FOREIGN_ADDRESS.matcher(new String(b, StandardCharsets.ISO_8859_1)).find()) {
                continue;
            }
            if (sent.get() % 4 == 1) {
                b = java.util.Arrays.copyOf(b, Math.max(1, b.length / 2)); // the peer closes mid-message
            }
            try (Socket s = connect("127.0.0.4", port)) {
                s.getOutputStream().write(b);
                s.shutdownOutput();
                s.setSoTimeout(200);
                try {
                    s.getInputStream().readAllBytes();
                } catch (SocketTimeoutException ignored) {
                    // an incomplete message gets no answer
                }
            } catch (IOException e) {
                // refused while the floods hold the point's connections: counted by the gate
            }
            sent.incrementAndGet();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        return s;
    }

    private static List<Socket> flood(String from, int port, int n) throws IOException {
        List<Socket> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            } catch (java.net.SocketException e) {
                // the point resets a connection over its limits as it accepts it; the reset can come back before
                // connect() has returned (a loaded machine): that connection was refused too, not lost
                if (!String.valueOf(e.getMessage()).contains("reset")) {
                    throw e;
                }
                s.close();
            }
            out.add(s);
        }
        return out;
    }

    /** How many of {@code sockets} the appliance closed at once (end of stream or reset, 300 ms on). */
    private static int refused(List<Socket> sockets) throws IOException, InterruptedException {
        Thread.sleep(300);
        int n = 0;
        for (Socket s : sockets) {
            if (closedByPeer(s, 1)) {
                n++;
            }
        }
        return n;
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        return closedByPeer(s, 50);
    }

    private static boolean closedByPeer(Socket s, int waitMillis) throws IOException {
        if (s.isClosed()) {
            return true;
        }
        s.setSoTimeout(waitMillis);
        try {
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                s.close();
                return true;
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            s.close(); // reset
            return true;
        }
    }

    /** Sends one more byte of the never-ending header; false when the appliance has closed the connection. */
    private static boolean drip(Socket s) throws IOException {
        if (s.isClosed() || closedByPeer(s, 10)) {
            return false;
        }
        try {
            OutputStream out = s.getOutputStream();
            out.write('x');
            out.flush();
            return true;
        } catch (IOException e) {
            s.close();
            return false;
        }
    }

    private static List<Socket> concat(List<Socket> a, List<Socket> b) {
        List<Socket> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static StreamGate gate(Appliance appliance, String point) {
        return appliance.server().gates().stream().filter(g -> g.point().equals(point)).findFirst().orElseThrow();
    }

    /** A TCP next hop that reads and discards everything, on a thread of its own per connection. */
    private static final class Sink implements AutoCloseable {
        private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final Thread acceptor = new Thread(this::accept, "sink");

        Sink() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // closed
                        }
                    }, "sink-read");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static String gateCounts(StreamGate gate) {
        StringBuilder b = new StringBuilder(gate.point()).append(": open ").append(gate.open());
        for (StreamGate.Reason r : StreamGate.Reason.values()) {
            b.append(", ").append(r.label()).append(' ').append(gate.closed(r));
        }
        return b.toString();
    }
}
