package io.shakengate.bench.soak;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes the soak starts (appliance JVMs, redis-server, SIPp): each started with its output in the run
 * directory, signalled by PID, and every one still alive stopped at the end (SIGTERM, then SIGKILL after 5 s),
 * also when the soak itself is stopped (SIGTERM, Ctrl-C: a shutdown hook).
 */
final class Children implements AutoCloseable {
    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Stops what is still running when this JVM is stopped before {@link #close}. */
    private final Thread onExit = new Thread(this::stopAll, "soak-children-stop");

    Children(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    private void stopAll() {
        List<Process> all;
        synchronized (started) {
            all = new ArrayList<>(started);
        }
        for (Process p : all) {
            try {
                stop(p, 5);
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** Starts {@code cmd} with its output appended to {@code log} in the run directory. */
    synchronized Process start(String log, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile())).start();
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    /** An appliance JVM running {@code config} (this JVM's class path holds the appliance). */
    Process appliance(String name, Path config) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return start(name + ".log", List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", classPath(),
                "io.shakengate.proxy.ProxyMain", "run", "--config", config.toString()));
    }

    /** This JVM's class path with absolute entries (the children run in the run directory). */
    private static String classPath() {
        StringBuilder b = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            b.append(b.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(e).toAbsolutePath());
        }
        return b.toString();
    }

    /** Waits until the appliance at {@code metricsPort} serves /metrics and, if {@code sipPort} > 0, answers an OPTIONS. */
    void awaitAppliance(String name, Process p, int metricsPort, int sipPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + "; see " + name + ".log");
            }
            if (metrics(metricsPort) != null && (sipPort <= 0 || answersOptions(sipPort))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not come up within 40 s; see " + name + ".log");
    }

    private static boolean answersOptions(int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(300);
            byte[] b = ("OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort()
                    + ";branch=z9hG4bK-soak" + System.nanoTime() + "\r\nMax-Forwards: 70\r\n"
                    + "From: <sip:soak@127.0.0.1>;tag=s\r\nTo: <sip:127.0.0.1:" + port + ">\r\nCall-ID: soak-ready-"
                    + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
            byte[] in = new byte[4096];
            DatagramPacket got = new DatagramPacket(in, in.length);
            s.receive(got);
            return new String(in, 0, got.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 200 ");
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    /** The appliance's /metrics text, or null when it does not answer. */
    String metrics(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/metrics")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Sends {@code signal} (HUP, TERM, KILL) to {@code p} by its PID. */
    static void signal(Process p, String signal) throws IOException, InterruptedException {
        if (p.isAlive()) {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor(5,
                    TimeUnit.SECONDS);
        }
    }

    /** Stops {@code p}: SIGTERM, SIGKILL after {@code seconds}; true if it ended. */
    static boolean stop(Process p, int seconds) throws InterruptedException {
        if (!p.isAlive()) {
            return true;
        }
        p.destroy();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return p.waitFor(5, TimeUnit.SECONDS);
        }
        return true;
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }
}
