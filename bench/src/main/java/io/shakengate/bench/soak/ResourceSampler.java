package io.shakengate.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples each appliance every few seconds: heap in use right after a full collection the sampler asks for
 * ({@code jcmd PID GC.run}: the live set, not the garbage of the moment), Netty's and the JVM's direct memory,
 * open file descriptors and threads (from its /metrics). Writes resources.csv and says by how much each grew
 * from the first samples after the warm-up to the last ones.
 */
final class ResourceSampler {
    /** One sample of one appliance. */
    record Sample(double t, String app, long pid, long heapAfterGc, long nettyDirect, long jvmDirect, long fds,
                  long threads) {
    }

    /** An appliance to sample: its name, its process now (it may be restarted) and its metrics port. */
    record Target(String name, Supplier<Process> process, int metricsPort) {
    }

    private final Children children;
    private final List<Target> targets;
    private final List<Sample> samples = new ArrayList<>();
    private final long t0;

    ResourceSampler(Children children, List<Target> targets, long t0) {
        this.children = children;
        this.targets = targets;
        this.t0 = t0;
    }

    /** Takes one sample of every appliance that is up. */
    void sample() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (Target t : targets) {
            Process p = t.process().get();
            if (p == null || !p.isAlive()) {
                continue;
            }
            Process gc = new ProcessBuilder(jcmd, Long.toString(p.pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(20, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                continue;
            }
            String m = children.metrics(t.metricsPort());
            if (m == null) {
                continue;
            }
            synchronized (samples) {
                samples.add(new Sample((System.nanoTime() - t0) / 1e9, t.name(), p.pid(),
                        value(m, "jvm_memory_used_bytes\\{area=\"heap\"\\}"), value(m, "netty_direct_memory_used_bytes"),
                        value(m, "jvm_buffer_pool_used_bytes\\{pool=\"direct\"\\}"), value(m, "process_open_fds"),
                        value(m, "jvm_threads_current")));
            }
        }
    }

    private static long value(String metrics, String name) {
        Matcher x = Pattern.compile("(?m)^" + name + " (-?[0-9.eE+]+)$").matcher(metrics);
        return x.find() ? (long) Double.parseDouble(x.group(1)) : -1;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Writes every sample to {@code csv}. */
    void write(Path csv) throws IOException {
        StringBuilder b = new StringBuilder("t_seconds,appliance,pid,heap_after_gc_bytes,netty_direct_bytes,"
                + "jvm_direct_bytes,open_fds,threads\n");
        for (Sample s : samples()) {
            b.append(String.format(java.util.Locale.ROOT, "%.1f,%s,%d,%d,%d,%d,%d,%d%n", s.t(), s.app(), s.pid(),
                    s.heapAfterGc(), s.nettyDirect(), s.jvmDirect(), s.fds(), s.threads()));
        }
        Files.writeString(csv, b);
    }

    /**
     * Growth per appliance process (by PID, so a restarted one is judged on its own samples) from the median of
     * its samples after {@code fromSeconds} in the first third to the median of its last third: metric -> bytes
     * or count. Only processes with at least 6 samples.
     */
    Map<String, Map<String, Long>> growth(double fromSeconds) {
        Map<String, List<Sample>> byProcess = new LinkedHashMap<>();
        for (Sample s : samples()) {
            if (s.t() >= fromSeconds) {
                byProcess.computeIfAbsent(s.app() + " (pid " + s.pid() + ")", k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        byProcess.forEach((k, list) -> {
            if (list.size() < 6) {
                return;
            }
            int third = list.size() / 3;
            List<Sample> first = list.subList(0, third);
            List<Sample> last = list.subList(list.size() - third, list.size());
            Map<String, Long> g = new LinkedHashMap<>();
            g.put("heap_after_gc_bytes", median(last, Sample::heapAfterGc) - median(first, Sample::heapAfterGc));
            g.put("netty_direct_bytes", median(last, Sample::nettyDirect) - median(first, Sample::nettyDirect));
            g.put("open_fds", median(last, Sample::fds) - median(first, Sample::fds));
            g.put("threads", median(last, Sample::threads) - median(first, Sample::threads));
            out.put(k, g);
        });
        return out;
    }

    private static long median(List<Sample> list, java.util.function.ToLongFunction<Sample> f) {
        long[] v = list.stream().mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }
}
