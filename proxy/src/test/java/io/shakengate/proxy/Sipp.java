package io.shakengate.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Running SIPp (Debian sip-tester, installed by .ci/run) from tests: scenarios, bounded runs, logs, ports. */
public final class Sipp {
    private Sipp() {
    }

    /** The scenario {@code name} from the class path's /sipp/, copied into {@code dir}. */
    public static String scenario(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (Files.exists(p)) {
            return p.toString();
        }
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + name)) {
            if (in == null) {
                throw new IOException("no scenario /sipp/" + name);
            }
            Files.copy(in, p);
        }
        return p.toString();
    }

    /** Starts SIPp with {@code args} (60 s call timeout, errors traced to {@code log}.err). */
    public static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("sipp", "-nostdin", "-timeout", "60s", "-timeout_error",
                "-trace_err", "-error_file", log.toString() + ".err"));
        cmd.addAll(List.of(args));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            fail("SIPp is not installed (apt-get install sip-tester; .ci/run does it): " + e.getMessage());
            throw e;
        }
    }

    /** The exit code, or -1 after killing it if it ran longer than {@code seconds}. */
    public static int waitFor(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    /** The last 3000 characters of a SIPp log and its error file. */
    public static String tail(Path log) {
        try {
            String all = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            Path err = Path.of(log + ".err");
            if (Files.exists(err)) {
                all += "\n" + Files.readString(err, StandardCharsets.ISO_8859_1);
            }
            return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A TCP port free on loopback a moment ago (below the kernel's ephemeral range, see {@link #port}). */
    public static int freeTcpPort() throws IOException {
        return port(true);
    }

    /** A UDP port free on loopback a moment ago (below the kernel's ephemeral range, see {@link #port}). */
    public static int freeUdpPort() throws IOException {
        return port(false);
    }

    /** Ports handed out in this JVM (never twice). */
    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    /**
     * A loopback port free a moment ago, below the kernel's ephemeral range and never handed out before: a port
     * the kernel picked for us and we closed can be picked again by the very next bind to port 0 (a server the
     * test starts, an outgoing connection), and a next hop on it then loops back into the appliance (seen once:
     * ProxySippTest over TCP, too_many_hops); the kernel never picks a port below the range by itself.
     */
    private static synchronized int port(boolean tcp) throws IOException {
        int low = 32_768;
        try {
            low = Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of(
                    "/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // the usual default
        }
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 2000; i++) {
            int p = 10_000 + random.nextInt(Math.max(1000, low - 10_000));
            if (GIVEN.contains(p)) {
                continue;
            }
            try {
                if (tcp) {
                    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
                    }
                } else {
                    try (DatagramSocket s = new DatagramSocket(new java.net.InetSocketAddress(
                            InetAddress.getLoopbackAddress(), p))) {
                        s.getLocalPort();
                    }
                }
                GIVEN.add(p);
                return p;
            } catch (IOException inUse) {
                // another
            }
        }
        throw new IOException("no free loopback port below " + low);
    }
}
