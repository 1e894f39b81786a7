package io.shakengate.proxy.console;

import io.shakengate.crypto.passport.Json;
import io.shakengate.proxy.journal.DecisionLog;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The pages that watch: Status (the appliance's points, cache and CPS as {@code GET /status} tells them, and
 * small charts of the last {@link #SAMPLES} samples, one every {@link #SAMPLE_SECONDS} s: calls signed, passed
 * and failed per second, p99 of signing and verifying) and Calls (the last decisions of
 * {@link DecisionLog#recent()}, newest first, filtered by outcome). The charts are SVG drawn on the server.
 */
public final class WatchPages {
    /** Seconds between samples. */
    public static final int SAMPLE_SECONDS = 10;
    /** Samples kept (15 minutes). */
    public static final int SAMPLES = 90;

    /** One sample: rates per second and p99 in milliseconds. */
    private record Sample(long atMillis, double signed, double passed, double failed, double signP99, double verifyP99) {
    }

    private final ProxyCounters counters;
    private final StageLatency latency;
    private final Supplier<String> status;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long lastSigned = -1;
    private long lastPassed;
    private long lastFailed;
    private long lastAt;
    private Histogram lastSign;
    private Histogram lastVerify;

    /** Pages over {@code counters}, {@code latency} and the status report {@code status} (JSON). */
    public WatchPages(ProxyCounters counters, StageLatency latency, Supplier<String> status) {
        this.counters = counters;
        this.latency = latency;
        this.status = status;
    }

    /** Takes one sample (the console's thread, every {@link #SAMPLE_SECONDS} s). */
    synchronized void sample() {
        long now = System.currentTimeMillis();
        long signed = counters.get(ProxyCounters.Event.SIGNED);
        long passed = counters.get(ProxyCounters.Event.VERIFIED_PASSED);
        long failed = counters.get(ProxyCounters.Event.VERIFIED_FAILED);
        Histogram sign = latency.snapshot(StageLatency.Stage.SIGN);
        Histogram verify = latency.snapshot(StageLatency.Stage.VERIFY);
        if (lastSigned >= 0) {
            double secs = Math.max(1, now - lastAt) / 1000.0;
            samples.addLast(new Sample(now, (signed - lastSigned) / secs, (passed - lastPassed) / secs,
                    (failed - lastFailed) / secs, p99(sign, lastSign), p99(verify, lastVerify)));
            while (samples.size() > SAMPLES) {
                samples.removeFirst();
            }
        }
        lastSigned = signed;
        lastPassed = passed;
        lastFailed = failed;
        lastAt = now;
        lastSign = sign;
        lastVerify = verify;
    }

    private static double p99(Histogram now, Histogram before) {
        Histogram d = now.copy();
        d.subtract(before);
        return d.getTotalCount() == 0 ? 0 : d.getValueAtPercentile(99) / 1e6;
    }

    synchronized String status(ConsoleSessions.Session s) {
        Map<String, Object> st = parse(status.get());
        StringBuilder b = new StringBuilder(8192).append("<p id=\"version\">ShakenGate ").append(Html.esc(st.get("version")))
                .append(", up ").append(Html.esc(st.get("uptimeSeconds"))).append(" s, transport ")
                .append(Html.esc(st.get("transport"))).append("</p><p id=\"loops\">Event loops: ")
                .append(list(st.get("eventLoops")).size()).append(", tasks queued: ")
                .append(Html.esc(String.join(" / ", list(st.get("eventLoops")).stream()
                        .map(o -> String.valueOf(map(o).get("pendingTasks"))).toList())))
                .append("; verifications waiting for a certificate: ").append(Html.esc(st.get("pendingVerifications")))
                .append("</p><h2>Listening points</h2><table id=\"points\">")
                .append("<tr><th>Name</th><th>Transport</th><th>Listen</th><th>Role</th><th>Next hops</th><th>Connections</th></tr>");
        for (Object o : list(st.get("points"))) {
            Map<String, Object> p = map(o);
            StringBuilder hops = new StringBuilder();
            for (Object h : list(p.get("nextHops"))) {
                Map<String, Object> hm = map(h);
                hops.append(hops.length() == 0 ? "" : ", ").append(Html.esc(hm.get("address")))
                        .append(Boolean.TRUE.equals(hm.get("heldDown")) ? " (held down)" : "");
            }
            b.append("<tr><td>").append(Html.esc(p.get("name"))).append("</td><td>").append(Html.esc(p.get("transport")))
                    .append("</td><td>").append(Html.esc(p.get("listen"))).append("</td><td>").append(Html.esc(p.get("role")))
                    .append(Boolean.TRUE.equals(p.get("redirect")) ? " (redirect)" : "").append("</td><td>")
                    .append(hops.length() == 0 ? "-" : hops).append("</td><td>")
                    .append(p.containsKey("connections") ? Html.esc(p.get("connections")) : "-").append("</td></tr>");
        }
        b.append("</table><div class=\"charts\">");
        List<Sample> list = new ArrayList<>(samples);
        chart(b, "Signed per second", list, 0);
        chart(b, "Verified (passed) per second", list, 1);
        chart(b, "Verified (failed) per second", list, 2);
        chart(b, "Signing p99 (ms)", list, 3);
        chart(b, "Verifying p99 (ms)", list, 4);
        b.append("</div><h2>Counters</h2><table id=\"counters\">");
        for (Map.Entry<String, Object> e : map(st.get("counters")).entrySet()) {
            b.append("<tr><th>").append(Html.esc(e.getKey())).append("</th><td>").append(Html.esc(e.getValue()))
                    .append("</td></tr>");
        }
        b.append("</table>");
        if (st.get("x5uCache") != null) {
            Map<String, Object> c = map(st.get("x5uCache"));
            b.append("<p id=\"cache\">x5u cache: ").append(Html.esc(c.get("entries"))).append(" of ")
                    .append(Html.esc(c.get("maxEntries"))).append(" entries</p>");
        }
        if (st.get("cps") != null) {
            Map<String, Object> c = map(st.get("cps"));
            b.append("<p id=\"cps\">CPS targets: ").append(Html.esc(String.join(", ", strings(c.get("targets")))))
                    .append(Boolean.TRUE.equals(c.get("serving")) ? "; serving a CPS" : "").append("</p>");
        }
        return Html.page("status", "Status", s, b.toString());
    }

    private static void chart(StringBuilder b, String title, List<Sample> list, int which) {
        int w = 320;
        int h = 120;
        double max = 1e-9;
        double[] v = new double[list.size()];
        for (int i = 0; i < v.length; i++) {
            Sample x = list.get(i);
            v[i] = switch (which) {
                case 0 -> x.signed();
                case 1 -> x.passed();
                case 2 -> x.failed();
                case 3 -> x.signP99();
                default -> x.verifyP99();
            };
            max = Math.max(max, v[i]);
        }
        b.append("<svg class=\"chart\" width=\"").append(w).append("\" height=\"").append(h + 30)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h + 30).append("\" role=\"img\"><title>")
                .append(Html.esc(title)).append("</title><text x=\"6\" y=\"16\" font-size=\"12\">").append(Html.esc(title))
                .append(": ").append(v.length == 0 ? "no sample yet" : String.format("%.1f now, %.1f max", v[v.length - 1], max))
                .append("</text><rect x=\"4\" y=\"24\" width=\"").append(w - 8).append("\" height=\"").append(h)
                .append("\" fill=\"none\" stroke=\"#d5dae0\"/>");
        if (v.length > 1) {
            b.append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"");
            for (int i = 0; i < v.length; i++) {
                double x = 4 + (w - 8) * (i + SAMPLES - v.length) / (double) (SAMPLES - 1);
                double y = 24 + h - (h - 4) * v[i] / max;
                b.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append("\"/>");
        }
        b.append("</svg>");
    }

    String calls(ConsoleSessions.Session s, String outcome) {
        List<Map<String, Object>> rows = new ArrayList<>();
        TreeSet<String> outcomes = new TreeSet<>();
        for (String line : DecisionLog.recent()) {
            Map<String, Object> m = parse(line);
            outcomes.add(String.valueOf(m.get("outcome")));
            if (outcome == null || outcome.isEmpty() || outcome.equals(m.get("outcome"))) {
                rows.add(0, m);
            }
        }
        StringBuilder b = new StringBuilder(8192).append("<p class=\"filters\">Outcome: <a href=\"/console/calls\">all</a>");
        for (String o : outcomes) {
            b.append(" <a href=\"/console/calls?outcome=").append(Html.esc(java.net.URLEncoder.encode(o,
                    StandardCharsets.UTF_8))).append("\">").append(Html.esc(o)).append("</a>");
        }
        b.append("</p><table id=\"calls\"><tr><th>Time</th><th>Decision</th><th>Point</th><th>Call-ID</th><th>From</th>")
                .append("<th>To</th><th>Attestation</th><th>Outcome</th><th>Reason / rule</th><th>Verstat</th>")
                .append("<th>x5u</th><th>SPC</th></tr>");
        for (Map<String, Object> m : rows) {
            boolean signing = "signing".equals(m.get("event"));
            b.append("<tr class=\"call\"><td>").append(Html.esc(m.get("time"))).append("</td><td>")
                    .append(Html.esc(m.get("event"))).append("</td><td>").append(Html.esc(m.get("point")))
                    .append("</td><td class=\"call-id\">").append(Html.esc(m.get("callId"))).append("</td><td>")
                    .append(Html.esc(m.get("orig"))).append("</td><td>")
                    .append(Html.esc(String.join(", ", strings(m.get("dest"))))).append("</td><td class=\"attestation\">")
                    .append(Html.esc(nonNull(m.get("attestation")))).append("</td><td class=\"outcome\">")
                    .append(Html.esc(m.get("outcome"))).append("</td><td>")
                    .append(Html.esc(nonNull(signing ? m.get("rule") : m.get("reason")))).append("</td><td>")
                    .append(Html.esc(nonNull(m.get("verstat")))).append("</td><td>").append(Html.esc(nonNull(m.get("x5u"))))
                    .append("</td><td>").append(Html.esc(nonNull(m.get("spc")))).append("</td></tr>");
        }
        b.append("</table><p>The last ").append(rows.size()).append(" decisions shown (console.recentCalls kept).</p>");
        return Html.page("calls", "Calls", s, b.toString());
    }

    private static Object nonNull(Object o) {
        return o == null || o == Json.NULL ? "" : o;
    }

    private static Map<String, Object> parse(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return Json.parseObject(b, 0, b.length);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object x : list(o)) {
            out.add(String.valueOf(x));
        }
        return out;
    }
}
