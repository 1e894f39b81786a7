package io.shakengate.bench.soak;

import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.crypto.x509.Pem;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The fault soak: SIPp UAC at a steady rate -> sign appliance -> verify appliance -> SIPp UAS, over UDP (in-band
 * Identity) and TCP (out-of-band: the call's PASSporT published to a CPS appliance backed by redis-server, and
 * retrieved by the verify appliance), for a given time, while a schedule of faults (one cycle of {@code cycle}
 * seconds, repeated) strikes the real components it starts: the x5u host slow, down, answering garbage or another
 * certificate; the CPS down and slow (a relay in front of it); redis-server SIGKILLed and restarted; the UAS (the
 * next hop) stopped and restarted; the verify appliance SIGTERMed and restarted; SIGHUP to both appliances every
 * 5 s. Every call is accounted for ({@link Accounting}) and each appliance's heap after a full GC, direct memory,
 * descriptors and threads sampled every 10 s ({@link ResourceSampler}; resources.csv and resources.png).
 *
 * <pre>java -cp bench/target/microbenchmarks.jar io.shakengate.bench.soak.FaultSoak [SECONDS [RATE [DIR [CYCLE]]]]</pre>
 * RATE is calls/s per transport (default 10), SECONDS the calling time (default 120), DIR the run directory
 * (default target/fault-soak), CYCLE the fault schedule's period (default 120 s). Exit 0 when no call is
 * unexplained or lost outside a fault's window and no resource grew past its margin; everything it started is
 * stopped by PID. Loopback only.
 */
public final class FaultSoak {
    /** The settings of a run. */
    public record Settings(int seconds, int rate, Path dir, int cycle) {
    }

    /** What a run found: the accounting, the growth of each appliance's resources, and the verdict. */
    public record Report(Accounting.Result calls, Map<String, Map<String, Long>> growth, List<String> problems,
                         String text) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Margins of resource growth from the first to the last third of the run, per appliance process. */
    static final long HEAP_MARGIN_BYTES = 24L << 20;
    static final long DIRECT_MARGIN_BYTES = 16L << 20;
    static final long FD_MARGIN = 16;
    static final long THREAD_MARGIN = 8;

    private FaultSoak() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = new Settings(args.length > 0 ? Integer.parseInt(args[0]) : 120,
                args.length > 1 ? Integer.parseInt(args[1]) : 10,
                Path.of(args.length > 2 ? args[2] : "target/fault-soak"), args.length > 3 ? Integer.parseInt(args[3]) : 120);
        Report r = run(s);
        System.out.println(r.text());
        System.exit(r.ok() ? 0 : 1);
    }

    /** The ports and files of one run. */
    record Layout(Path dir, int x5u, int redis, int cpsApi, int cpsRelay, int cpsMetrics, int signUdp,
                          int signTcp, int signMetrics, int verifyUdp, int verifyTcp, int verifyMetrics, int uasUdp,
                          int uasTcp, int uacUdp, int uacTcp) {
    }

    public static Report run(Settings s) throws Exception {
        Files.createDirectories(s.dir());
        try (var old = Files.list(s.dir())) {
            for (Path f : old.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Layout l = new Layout(s.dir(), tcpPort(), tcpPort(), tcpPort(), tcpPort(), tcpPort(), udpPort(), tcpPort(),
                tcpPort(), udpPort(), tcpPort(), tcpPort(), udpPort(), tcpPort(), udpPort(), tcpPort());
        DemoPki pki = new DemoPki("1234");
        DemoPki other = new DemoPki("1234");
        Files.writeString(l.dir().resolve("root.pem"), pki.rootPem());
        Files.writeString(l.dir().resolve("chain.pem"), pki.chainPem());
        Files.writeString(l.dir().resolve("key.pem"), pki.signerKeyPem());
        Files.writeString(l.dir().resolve("tokens"), "soak-token-0123456789abcdef\n");
        writeScenario(l.dir(), "soak-uac.xml");
        writeScenario(l.dir(), "soak-uas.xml");
        SoakConfigs.write(l);
        StringBuilder log = new StringBuilder();
        try (Children children = new Children(l.dir());
             X5uHost x5u = new X5uHost(l.x5u(), tls(pki), pki.chainPem(), other.chainPem(), 2);
             FaultyRelay relay = new FaultyRelay(l.cpsRelay(), new InetSocketAddress("127.0.0.1", l.cpsApi()))) {
            Process[] redis = {startRedis(children, l)};
            Process cps = children.appliance("cps", l.dir().resolve("cps.yaml"));
            children.awaitAppliance("cps", cps, l.cpsMetrics(), 0);
            Process[] verify = {children.appliance("verify", l.dir().resolve("verify.yaml"))};
            children.awaitAppliance("verify", verify[0], l.verifyMetrics(), l.verifyUdp());
            Process sign = children.appliance("sign", l.dir().resolve("sign.yaml"));
            children.awaitAppliance("sign", sign, l.signMetrics(), l.signUdp());
            int[] uasRound = {0};
            Process[][] uas = {startUas(children, l, uasRound[0])};
            int calls = s.rate() * s.seconds();
            numbers(l.dir(), calls);
            // warm-up, not accounted: the JIT (three JVMs on what may be 2 cores), the first x5u fetch and TLS
            // handshake, the CPS's first connections; both transports at once, the calling rate
            int warmSeconds = Integer.getInteger("soak.warmupSeconds", s.rate() <= 10 ? 3 : 20);
            Process warmingUdp = uac(children, l, "warmup-udp", s.rate(), warmSeconds * s.rate(), warmSeconds + 27);
            Process warmingTcp = uac(children, l, "warmup-tcp", s.rate(), warmSeconds * s.rate(), warmSeconds + 27);
            int warmUdp = waitFor(warmingUdp, warmSeconds + 60);
            int warmTcp = waitFor(warmingTcp, warmSeconds + 60);
            log.append(String.format(Locale.ROOT, "warm-up: %d s, %d calls per transport (UAC exits %d, %d)%n",
                    warmSeconds, warmSeconds * s.rate(), warmUdp, warmTcp));
            long t0 = System.nanoTime();
            long startMillis = System.currentTimeMillis();
            Process uacUdp = uac(children, l, "udp", s.rate(), calls, s.seconds());
            Process uacTcp = uac(children, l, "tcp", s.rate(), calls, s.seconds());
            ResourceSampler sampler = new ResourceSampler(children, List.of(
                    new ResourceSampler.Target("sign", () -> sign, l.signMetrics()),
                    new ResourceSampler.Target("verify", () -> verify[0], l.verifyMetrics()),
                    new ResourceSampler.Target("cps", () -> cps, l.cpsMetrics())), t0);
            Schedule schedule = new Schedule(s, startMillis, log);
            schedule.run(new Schedule.Faults() {
                @Override
                public void x5u(X5uHost.Mode m) throws IOException {
                    x5u.mode(m);
                }

                @Override
                public void cps(FaultyRelay.Mode m) throws IOException {
                    relay.mode(m);
                }

                @Override
                public void redis(boolean up) throws Exception {
                    if (up) {
                        redis[0] = startRedis(children, l);
                    } else {
                        Children.signal(redis[0], "KILL");
                        redis[0].waitFor(5, TimeUnit.SECONDS);
                    }
                }

                @Override
                public void uas(boolean up) throws Exception {
                    if (up) {
                        uas[0] = startUas(children, l, ++uasRound[0]);
                    } else {
                        for (Process p : uas[0]) {
                            Children.stop(p, 3);
                        }
                    }
                }

                @Override
                public long restartVerify() throws Exception {
                    Children.signal(verify[0], "TERM");
                    verify[0].waitFor(15, TimeUnit.SECONDS);
                    verify[0] = children.appliance("verify", l.dir().resolve("verify.yaml"));
                    children.awaitAppliance("verify", verify[0], l.verifyMetrics(), l.verifyUdp());
                    return System.currentTimeMillis();
                }

                @Override
                public void sighup() throws Exception {
                    Children.signal(sign, "HUP");
                    Children.signal(verify[0], "HUP");
                }

                @Override
                public void sample() throws Exception {
                    sampler.sample();
                }

                @Override
                public boolean calling() {
                    return uacUdp.isAlive() || uacTcp.isAlive();
                }
            });
            int udpExit = waitFor(uacUdp, 120);
            int tcpExit = waitFor(uacTcp, 60);
            log.append(String.format(Locale.ROOT, "UAC exits: udp %d, tcp %d%n", udpExit, tcpExit));
            String signCounters = counters(children.metrics(l.signMetrics()));
            String verifyCounters = counters(children.metrics(l.verifyMetrics()));
            String cpsCounters = counters(children.metrics(l.cpsMetrics()));
            for (Process p : uas[0]) {
                Children.stop(p, 3);
            }
            List<Accounting.PathLogs> paths = new ArrayList<>();
            for (String path : List.of("udp", "tcp")) {
                List<Path> uasLogs = new ArrayList<>();
                for (int i = 0; i <= uasRound[0]; i++) {
                    uasLogs.add(l.dir().resolve("uas-" + path + "-" + i + "-calls.log"));
                }
                paths.add(new Accounting.PathLogs(path, calls, l.dir().resolve("uac-" + path + "-calls.log"), uasLogs,
                        l.dir().resolve("uac-" + path + ".err"), startMillis, s.rate()));
            }
            Accounting.Result result = Accounting.account(paths, schedule.windows());
            sampler.write(l.dir().resolve("resources.csv"));
            ResourcePlot.write(sampler.samples(), l.dir().resolve("resources.png"));
            Map<String, Map<String, Long>> growth = sampler.growth(Math.min(30, s.seconds() / 5.0));
            return report(s, result, growth, log, signCounters, verifyCounters, cpsCounters, l.dir());
        }
    }

    private static Report report(Settings s, Accounting.Result result, Map<String, Map<String, Long>> growth,
                                 StringBuilder log, String sign, String verify, String cps, Path dir) throws IOException {
        List<String> problems = new ArrayList<>(result.unexplained());
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "fault soak: %d s at %d calls/s per transport (udp in-band, tcp"
                + " out-of-band), fault cycle %d s; %d calls%n", s.seconds(), s.rate(), s.cycle(), result.calls()));
        t.append(log);
        t.append("calls by outcome (explained by):\n");
        result.classes().forEach((k, v) -> t.append(String.format(Locale.ROOT, "  %7d  %s%n", v, k)));
        t.append("lost: ").append(result.lost().size()).append(result.lost().isEmpty() ? "" : " "
                + result.lost().subList(0, Math.min(40, result.lost().size()))).append('\n');
        t.append("resource growth, first third to last third of each process's samples:\n");
        growth.forEach((app, g) -> {
            t.append("  ").append(app).append(": ").append(g).append('\n');
            check(problems, app, "heap_after_gc_bytes", g, HEAP_MARGIN_BYTES);
            check(problems, app, "netty_direct_bytes", g, DIRECT_MARGIN_BYTES);
            check(problems, app, "open_fds", g, FD_MARGIN);
            check(problems, app, "threads", g, THREAD_MARGIN);
        });
        t.append("sign appliance: ").append(sign).append('\n');
        t.append("verify appliance (last instance): ").append(verify).append('\n');
        t.append("cps appliance: ").append(cps).append('\n');
        t.append(problems.isEmpty() ? "verdict: every call accounted for, resources flat within their margins\n"
                : "verdict: " + problems.size() + " problem(s): " + problems.subList(0, Math.min(20, problems.size()))
                + "\n");
        Files.writeString(dir.resolve("report.txt"), t);
        return new Report(result, growth, problems, t.toString());
    }

    private static void check(List<String> problems, String app, String metric, Map<String, Long> g, long margin) {
        Long v = g.get(metric);
        if (v != null && v > margin) {
            problems.add(app + " " + metric + " grew by " + v + " (margin " + margin + ")");
        }
    }

    /** The non-zero shakengate_ counters of a /metrics text (no histograms). */
    private static String counters(String metrics) {
        if (metrics == null) {
            return "(not answering)";
        }
        return metrics.lines().filter(x -> x.startsWith("shakengate_") && x.contains("_total") && !x.endsWith(" 0")
                && !x.contains("_bucket")).map(x -> x.substring("shakengate_".length()))
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static Process startRedis(Children c, Layout l) throws IOException {
        return c.start("redis.log", List.of("redis-server", "--port", Integer.toString(l.redis()), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
    }

    private static Process[] startUas(Children c, Layout l, int round) throws IOException {
        return new Process[] {sipp(c, "uas-udp-" + round, "-sf", "soak-uas.xml", "-i", "127.0.0.1", "-p",
                Integer.toString(l.uasUdp()), "-t", "u1"),
            sipp(c, "uas-tcp-" + round, "-sf", "soak-uas.xml", "-i", "127.0.0.1", "-p", Integer.toString(l.uasTcp()),
                "-t", "t1")};
    }

    private static Process uac(Children c, Layout l, String path, int rate, int calls, int seconds) throws IOException {
        boolean udp = path.endsWith("udp");
        return sipp(c, path.startsWith("warmup") ? path : "uac-" + path, "-sf", "soak-uac.xml", "-inf", "numbers.csv",
                "-key", "calling", udp ? "12155550121" : "12675550121", "-i", "127.0.0.1",
                "-p", Integer.toString(udp ? l.uacUdp() : l.uacTcp()),
                "127.0.0.1:" + (udp ? l.signUdp() : l.signTcp()), "-t", udp ? "u1" : "t1", "-r", Integer.toString(rate),
                "-m", Integer.toString(calls), "-l", Integer.toString(rate * 40), "-recv_timeout", "32000",
                "-timeout", (seconds + 100) + "s", "-timeout_error");
    }

    /** SIPp with its calls' log lines in NAME-calls.log and its errors in NAME.err. */
    private static Process sipp(Children c, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sipp", "-nostdin", "-trace_logs", "-log_file", name + "-calls.log",
                "-trace_err", "-error_file", name + ".err"));
        cmd.addAll(List.of(args));
        return c.start(name + ".log", cmd);
    }

    /**
     * The called numbers, one per call (SIPp -inf, in order): a CPS keeps a call's PASSporTs by its numbers for
     * the retention time, so calls between the same two numbers within it would pile up (and be refused past
     * maxPassportsPerCall), which no real traffic does at this rate.
     */
    private static void numbers(Path dir, int calls) throws IOException {
        StringBuilder b = new StringBuilder("SEQUENTIAL\n");
        for (int i = 0; i < calls + 1000; i++) {
            b.append(String.format(Locale.ROOT, "1215%07d;%n", i % 10_000_000));
        }
        Files.writeString(dir.resolve("numbers.csv"), b);
    }

    private static int waitFor(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    private static void writeScenario(Path dir, String name) throws IOException {
        try (InputStream in = FaultSoak.class.getResourceAsStream("/soak/" + name)) {
            Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    /** The x5u host's TLS: a certificate for 127.0.0.1 from the demo root (the verifier's fetchTrust). */
    private static javax.net.ssl.SSLContext tls(DemoPki pki) throws Exception {
        Map.Entry<java.security.cert.X509Certificate, java.security.KeyPair> server = pki.tlsServer();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("x5u", server.getValue().getPrivate(), new char[0],
                new java.security.cert.Certificate[] {server.getKey(), pki.root()});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** Ports handed out by this run (a port is never given twice). */
    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    /**
     * A loopback port free for TCP and UDP, below the kernel's ephemeral range: a port the kernel picked for us and
     * we closed could be picked again for another process's outgoing connection before our child binds it (an
     * appliance then exits with "Address already in use"); the kernel never picks one below the range.
     */
    static synchronized int port() throws IOException {
        int low = ephemeralLow();
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 2000; i++) {
            int p = 10_000 + random.nextInt(Math.max(1000, low - 10_000));
            if (GIVEN.contains(p)) {
                continue;
            }
            try (java.net.ServerSocket t = new java.net.ServerSocket()) {
                t.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
                    GIVEN.add(p);
                    return p;
                }
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IOException("no free loopback port below " + low);
    }

    /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            String r = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(r.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    static int tcpPort() throws IOException {
        return port();
    }

    static int udpPort() throws IOException {
        return port();
    }

    static String pem(java.security.cert.X509Certificate c) throws Exception {
        return Pem.armour("CERTIFICATE", c.getEncoded());
    }

    static final Set<String> BOTH = Set.of("udp", "tcp");
    static final Set<String> TCP = Set.of("tcp");
    static final String UTF8 = StandardCharsets.UTF_8.name();
}
