package io.shakengate.proxy.cps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real redis-server (Debian redis-server, installed by .ci/run) on a free loopback port, without
 * persistence, in a test's temporary directory; stopped by its PID.
 */
final class RedisServer implements AutoCloseable {
    final Process process;
    final InetSocketAddress address;

    RedisServer(Path dir) throws Exception {
        int port = io.shakengate.proxy.Sipp.freeTcpPort();
        List<String> cmd = List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--maxmemory", "64mb");
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            fail("redis-server is not installed (apt-get install redis-server; .ci/run does it): " + e.getMessage());
            throw e;
        }
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(address, 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    close();
                    fail("redis-server did not start on " + port + " (see redis.log)");
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
