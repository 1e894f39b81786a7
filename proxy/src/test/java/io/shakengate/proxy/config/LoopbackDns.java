package io.shakengate.proxy.config;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authoritative DNS server on a loopback UDP port, for tests (no DNS server is reachable from the test
 * machines): {@code _sip._udp.softswitch.test} SRV 10 10 {@link #port} {@link #srvTarget}, {@code target.test}
 * A 127.0.0.1, each with TTL {@link #ttl}; NXDOMAIN for anything else. Real DNS messages (dnsjava's wire format),
 * so that the appliance's resolver is tested as it runs. Stopped by {@link #close()}.
 */
final class LoopbackDns implements AutoCloseable {
    volatile int port;
    volatile long ttl = 1;
    volatile String srvTarget = "target.test.";
    /** How long each answer is held back (a slow DNS server). */
    volatile long delayMillis;
    /** SRV queries answered. */
    final AtomicInteger srvQueries = new AtomicInteger();
    private final DatagramSocket socket;
    private final Thread thread;

    LoopbackDns() throws SocketException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** A resolver asking this server only (1 s per try). */
    SimpleResolver resolver() {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                socket.getLocalPort()));
        r.setTimeout(Duration.ofSeconds(1));
        return r;
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Record question = q.getQuestion();
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.AA);
                r.addRecord(question, Section.QUESTION);
                Name name = question.getName();
                if (question.getType() == Type.SRV && name.equals(Name.fromString("_sip._udp.softswitch.test."))) {
                    srvQueries.incrementAndGet();
                    r.addRecord(new SRVRecord(name, DClass.IN, ttl, 10, 10, port, Name.fromString(srvTarget)),
                            Section.ANSWER);
                } else if (question.getType() == Type.A && name.equals(Name.fromString("target.test."))) {
                    r.addRecord(new ARecord(name, DClass.IN, ttl, InetAddress.getLoopbackAddress()), Section.ANSWER);
                } else if (!name.equals(Name.fromString("target.test."))) {
                    r.getHeader().setRcode(Rcode.NXDOMAIN);
                }
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                byte[] wire = r.toWire();
                socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a query we cannot read: the next one
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
