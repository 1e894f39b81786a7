package io.shakengate.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of a real service (the CPS), with the faults of the schedule: pass, slow (each
 * new connection waits 5 s before its bytes go on) or down (the port closed: connection refused; the relayed
 * connections are cut).
 */
final class FaultyRelay implements AutoCloseable {
    /** What the relay does now. */
    enum Mode { PASS, SLOW, DOWN }

    private final int port;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private ServerSocket listener;

    FaultyRelay(int port, InetSocketAddress target) throws IOException {
        this.port = port;
        this.target = target;
        open();
    }

    private synchronized void open() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        listener = s;
        Thread accept = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket in = s.accept();
                    open.add(in);
                    Thread t = new Thread(() -> relay(in), "relay-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private void relay(Socket in) {
        try (in; Socket out = new Socket()) {
            if (mode == Mode.SLOW) {
                Thread.sleep(5000);
            }
            out.connect(target, 2000);
            open.add(out);
            Thread back = new Thread(() -> pump(out, in), "relay-back");
            back.setDaemon(true);
            back.start();
            pump(in, out);
            back.join(10_000);
        } catch (IOException | InterruptedException e) {
            // the connection ends
        } finally {
            open.remove(in);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try {
            InputStream i = from.getInputStream();
            OutputStream o = to.getOutputStream();
            int n;
            while ((n = i.read(buf)) >= 0) {
                o.write(buf, 0, n);
                o.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // closing
            }
        } finally {
            open.remove(to);
        }
    }

    private synchronized void shut() throws IOException {
        if (listener != null) {
            listener.close();
            listener = null;
        }
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /** Switches to {@code m}. */
    void mode(Mode m) throws IOException {
        mode = m;
        if (m == Mode.DOWN) {
            shut();
        } else {
            open();
        }
    }

    @Override
    public void close() throws IOException {
        shut();
    }
}
