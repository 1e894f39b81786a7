package io.shakengate.bench.load;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.ListeningPoint;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.ProxyServer;
import io.shakengate.proxy.Role;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.transport.Transports;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A load run on loopback: SIPp UAC at a fixed rate -> signing appliance -> verifying appliance -> SIPp UAS
 * (which checks every INVITE for Identity and verstat=TN-Validation-Passed), both appliances in this JVM.
 * Reports completed calls, the JVM's CPU time per call from /proc/self/stat (sign + verify + 6 forwards per
 * call: INVITE, ACK, BYE and their responses), and the time inside the appliances per stage.
 *
 * With {@code -Dpeer=kamailio} the same runs go through Kamailio and its secsipid module instead (the
 * baseline, {@link KamailioPeer}; {@code -DpeerCpus=0} pins it).
 *
 * <pre>[taskset -c 0] java [-DwarmupSeconds=30] [-Dloops=2] [-DmaxDatagramBytes=65507] [-DsippCpus=1] [-Dforward=true] [-Dsplit=true] [-Dpeer=kamailio -DpeerCpus=0] -cp bench/target/microbenchmarks.jar io.shakengate.bench.load.SippLoad RATE CALLS</pre>
 * Bounded: SIPp stops after CALLS calls or 120 s; everything is stopped at the end.
 */
public final class SippLoad {
    /** The x5u both the appliance and the Kamailio baseline sign with (the chain is preloaded: nothing fetched). */
    private static final String X5U = "https://certs.shakengate.load/sti/1234.pem";

    private SippLoad() {
    }

    /** Entry point: RATE (calls/s) CALLS. */
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        Path dir = Files.createTempDirectory("shakengate-load");
        BenchServices bench = BenchServices.create(X5U);
        ServiceConfig services = bench.services();
        EcdsaProvider provider = bench.provider();
        InetAddress lo = InetAddress.getLoopbackAddress();
        int uasPort = freePort();
        if ("kamailio".equals(System.getProperty("peer"))) {
            runKamailio(dir, bench, uasPort, rate, calls);
            return;
        }
        // -Dsplit=true: the verify point gets event loops of its own, so that each point's CPU shows apart
        boolean split = Boolean.getBoolean("split");
        try (ProxyServer server = server(); ProxyServer verifier = split ? server() : null) {
            // -Dforward=true: both points only forward (no signing, no verification), for the messaging cost alone
            boolean forwardOnly = Boolean.getBoolean("forward");
            InetSocketAddress b = (split ? verifier : server).bind(new ListeningPoint("verify", new InetSocketAddress(lo, 0), null,
                    forwardOnly ? Role.FORWARD : Role.VERIFY, new InetSocketAddress(lo, uasPort)), services);
            InetSocketAddress a = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    forwardOnly ? Role.FORWARD : Role.SIGN, b), services);
            System.out.println("transport " + server.transports().describe() + ", ECDSA " + provider.describe());
            if (split) {
                System.out.println("event loops: sign point " + loopName(server) + ", verify point "
                        + loopName(verifier));
            }
            // warm-up: WARMUP_SECONDS at the target rate (JIT compilation would otherwise be most of the CPU
            // of a short run), then the measured run
            int warmup = Integer.getInteger("warmupSeconds", 30);
            runSipp(dir, uasPort, a, rate, rate * warmup);
            ProxyServer vs = split ? verifier : server;
            long signedBefore = server.counters().get(ProxyCounters.Event.SIGNED);
            long passedBefore = vs.counters().get(ProxyCounters.Event.VERIFIED_PASSED);
            Histogram[] before = new Histogram[StageLatency.Stage.values().length];
            for (StageLatency.Stage s : StageLatency.Stage.values()) {
                before[s.ordinal()] = stage(server, verifier, s);
            }
            java.util.Map<String, Long> threads0 = threadCpu();
            long cpu0 = cpuNanos();
            long user0 = userNanos();
            long t0 = System.nanoTime();
            int[] exits = runSipp(dir, uasPort, a, rate, calls);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = cpuNanos() - cpu0;
            long user = userNanos() - user0;
            long signed = server.counters().get(ProxyCounters.Event.SIGNED) - signedBefore;
            long passed = vs.counters().get(ProxyCounters.Event.VERIFIED_PASSED) - passedBefore;
            System.out.printf("rate %d calls/s, %d calls in %.1f s: UAC exit %d, UAS exit %d, signed %d, verified %d%n",
                    rate, calls, seconds, exits[0], exits[1], signed, passed);
            System.out.printf("appliance CPU: %.1f us per call (sign + verify + forwards, both appliances), %.0f %% of"
                    + " one core; user %.1f us, system (kernel: UDP on loopback, epoll) %.1f us%n", cpu / 1e3 / calls,
                    100.0 * cpu / 1e9 / seconds, user / 1e3 / calls, (cpu - user) / 1e3 / calls);
            java.util.Map<String, Long> threads = threadCpu();
            threads.replaceAll((k, v) -> v - threads0.getOrDefault(k, 0L));
            long sched = threads.entrySet().stream().filter(e -> e.getKey().endsWith("(schedstat)"))
                    .mapToLong(java.util.Map.Entry::getValue).sum();
            System.out.printf("appliance CPU by the scheduler's run time (/proc/self/task/*/schedstat): %.1f us per"
                    + " call, %.0f %% of one core%n", sched / 1e3 / calls, 100.0 * sched / 1e9 / seconds);
            threads.entrySet().stream().filter(e -> e.getValue() / 1e3 / calls >= 0.05)
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> System.out.printf(e.getKey().endsWith("(wake-ups)")
                                    ? "  threads %-28s %6.1f per call%n" : "  threads %-28s %6.1f us per call%n",
                            e.getKey(), e.getValue() / 1e3 / calls));
            for (StageLatency.Stage s : StageLatency.Stage.values()) {
                Histogram h = stage(server, verifier, s);
                Histogram delta = h.copy();
                delta.subtract(before[s.ordinal()]);
                if (delta.getTotalCount() > 0) {
                    System.out.printf("inside the appliance, %s: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us"
                                    + " (%d)%n", s, delta.getValueAtPercentile(50) / 1e3,
                            delta.getValueAtPercentile(99) / 1e3, delta.getValueAtPercentile(99.9) / 1e3,
                            delta.getMaxValue() / 1e3, delta.getTotalCount());
                }
            }
        }
    }

    /**
     * The baseline: the same runs through Kamailio with its secsipid module in place of the two points
     * ({@link KamailioPeer}), pinned to -DpeerCpus; its CPU per call from the scheduler's run time of all its
     * processes. The UAS checks Identity and verstat alike.
     */
    private static void runKamailio(Path dir, BenchServices bench, int uasPort, int rate, int calls)
            throws Exception {
        try (KamailioPeer k = KamailioPeer.start(dir, bench.pki(), X5U,
                freePort(), freePort(), uasPort, Boolean.getBoolean("forward"), System.getProperty("peerCpus"))) {
            int warmup = Integer.getInteger("warmupSeconds", 30);
            runSipp(dir, uasPort, k.entry(), rate, rate * warmup);
            long cpu0 = k.cpuNanos();
            long t0 = System.nanoTime();
            int[] exits = runSipp(dir, uasPort, k.entry(), rate, calls);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = k.cpuNanos() - cpu0;
            System.out.printf("Kamailio%s: rate %d calls/s, %d calls in %.1f s: UAC exit %d, UAS exit %d (0: every"
                            + " call complete%s)%n", Boolean.getBoolean("forward") ? " (forward only)" : " + secsipid",
                    rate, calls, seconds, exits[0], exits[1],
                    Boolean.getBoolean("forward") ? "" : ", Identity and verstat=TN-Validation-Passed seen");
            System.out.printf("Kamailio CPU by the scheduler's run time (/proc/PID/task/*/schedstat, all its"
                    + " processes): %.1f us per call, %.0f %% of one core%n", cpu / 1e3 / calls,
                    100.0 * cpu / 1e9 / seconds);
        }
    }

    private static ProxyServer server() {
        return new ProxyServer(Boolean.getBoolean("nio") ? Transports.nio() : Transports.detect(),
                Integer.getInteger("loops", 2),
                new SipDecoderConfig(SipDecoderConfig.DEFAULT_MAX_START_LINE_BYTES,
                        SipDecoderConfig.DEFAULT_MAX_HEADER_BLOCK_BYTES, SipDecoderConfig.DEFAULT_MAX_HEADER_COUNT,
                        SipDecoderConfig.DEFAULT_MAX_HEADER_VALUE_BYTES, SipDecoderConfig.DEFAULT_MAX_BODY_BYTES,
                        Integer.getInteger("maxDatagramBytes", SipDecoderConfig.DEFAULT_MAX_DATAGRAM_BYTES)));
    }

    /** Stage {@code s}'s histogram over both servers (the second may be null). */
    private static Histogram stage(ProxyServer a, ProxyServer b, StageLatency.Stage s) {
        Histogram h = a.latency().snapshot(s);
        if (b != null) {
            h.add(b.latency().snapshot(s));
        }
        return h;
    }

    /** The thread name of {@code server}'s (first) event loop, as /proc shows it (15 characters). */
    private static String loopName(ProxyServer server) throws Exception {
        String name = server.group().submit(() -> Thread.currentThread().getName()).get();
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    private static int[] runSipp(Path dir, int uasPort, InetSocketAddress a, int rate, int calls) throws Exception {
        Process uas = sipp(dir, "uas", "-sf", scenario(dir, "uas-shaken.xml"), "-i", "127.0.0.1", "-p",
                Integer.toString(uasPort), "-m", Integer.toString(calls));
        Thread.sleep(300);
        Process uac = sipp(dir, "uac", "-sf", scenario(dir, "uac-shaken.xml"), "-i", "127.0.0.1", "-p",
                Integer.toString(freePort()), "127.0.0.1:" + a.getPort(), "-m", Integer.toString(calls), "-r",
                Integer.toString(rate), "-l", Integer.toString(Math.max(100, rate * 2)));
        int u = waitFor(uac, 120);
        int s = waitFor(uas, 20);
        return new int[] {u, s};
    }

    private static String scenario(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) {
            try (InputStream in = SippLoad.class.getResourceAsStream("/sipp/" + name)) {
                String xml = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                if (Boolean.getBoolean("forward")) {
                    // forwarded calls carry no Identity and no verstat: the UAS answers without checking
                    xml = xml.replaceAll("(?s)<action>.*?</action>", "").replaceAll("<Reference [^>]*/>", "");
                }
                Files.writeString(p, xml, StandardCharsets.ISO_8859_1);
            }
        }
        return p.toString();
    }

    private static Process sipp(Path dir, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        String cpus = System.getProperty("sippCpus");
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus)); // keep the load generator off the appliance's CPUs
        }
        cmd.addAll(List.of("sipp", "-nostdin", "-timeout", "120s", "-timeout_error"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private static int waitFor(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    /** utime + stime of this process from /proc/self/stat, in nanoseconds (clock ticks of 10 ms). */
    private static long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L;
    }

    private static long userNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) * 10_000_000L;
    }

    /**
     * CPU time per group of threads: utime + stime (clock ticks), and as "NAME (schedstat)" the scheduler's
     * run time in ns, which a workload in step with the clock tick (SIPp's timers) cannot bias; of this process from /proc/self/task, the group being the
     * thread's name without its trailing digits (each server's event loops, GC workers, JIT compilers...), in
     * nanoseconds; and per
     * group "NAME (wake-ups)", the voluntary context switches (times the thread blocked and was woken) x 1000.
     */
    private static java.util.Map<String, Long> threadCpu() throws IOException {
        java.util.Map<String, Long> groups = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "#");
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ns = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
                    groups.merge(name, ns, Long::sum);
                    // the scheduler's own count of nanoseconds on a CPU (not sampled at clock ticks)
                    String sched = Files.readString(t.resolve("schedstat"));
                    groups.merge(name + " (schedstat)", Long.parseLong(sched.substring(0, sched.indexOf(' '))),
                            Long::sum);
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            // counted as "ns" too: printed divided by calls, a count per call x 1000
                            groups.merge(name + " (wake-ups)", 1000 * Long.parseLong(line.substring(24).trim()),
                                    Long::sum);
                        }
                    }
                } catch (IOException | RuntimeException ended) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return groups;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
