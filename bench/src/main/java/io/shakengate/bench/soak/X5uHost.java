package io.shakengate.bench.soak;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The certificate host of the soak: HTTPS on loopback serving the signer's chain at its x5u path with a short
 * max-age, switchable to the faults of the schedule: slow (answers after 5 s), down (its port closed: connection
 * refused), garbage (200 with bytes that are no PEM), or another certificate (a valid chain of another PKI, so
 * the signature and the trust both fail).
 */
final class X5uHost implements AutoCloseable {
    /** What the host does now. */
    enum Mode { OK, SLOW, DOWN, GARBAGE, OTHER }

    private final int port;
    private final javax.net.ssl.SSLContext tls;
    private final byte[] chain;
    private final byte[] other;
    private final int maxAgeSeconds;
    private final ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "x5u-host");
        t.setDaemon(true);
        return t;
    });
    private volatile Mode mode = Mode.OK;
    private HttpsServer server;

    X5uHost(int port, javax.net.ssl.SSLContext tls, String chainPem, String otherPem, int maxAgeSeconds)
            throws IOException {
        this.port = port;
        this.tls = tls;
        this.chain = chainPem.getBytes(StandardCharsets.US_ASCII);
        this.other = otherPem.getBytes(StandardCharsets.US_ASCII);
        this.maxAgeSeconds = maxAgeSeconds;
        start();
    }

    private synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        s.setExecutor(workers);
        s.createContext("/", exchange -> {
            try (exchange) {
                Mode m = mode;
                if (m == Mode.SLOW) {
                    Thread.sleep(5000);
                }
                byte[] body = m == Mode.GARBAGE ? "<html>maintenance</html>\n".getBytes(StandardCharsets.US_ASCII)
                        : m == Mode.OTHER ? other : chain;
                exchange.getResponseHeaders().add("Content-Type", "application/pem-certificate-chain");
                exchange.getResponseHeaders().add("Cache-Control", "max-age=" + maxAgeSeconds);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client gave up (the verifier's budget): nothing to answer
            }
        });
        s.start();
        server = s;
    }

    private synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Switches to {@code m} (DOWN closes the port; any other mode opens it again). */
    void mode(Mode m) throws IOException {
        mode = m;
        if (m == Mode.DOWN) {
            stop();
        } else {
            start();
        }
    }

    @Override
    public void close() {
        stop();
        workers.shutdownNow();
    }
}
