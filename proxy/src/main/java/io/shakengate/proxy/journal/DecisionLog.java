package io.shakengate.proxy.journal;

import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.passport.Json;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Decisions;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationFacts;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One structured journal line per decision, so that an operator can grep a Call-ID and see why a call was
 * marked or signed as it was: for a verification a JSON object with the time, point, Call-ID, numbers,
 * outcome class, failure reason, RFC 8224 code, verstat, policy action, whether the budget ran out, and how
 * many PASSporTs were checked; for a signing ({@code "event":"signing"}) the outcome, rule, signing identity,
 * attestation and delivery (its failures: blocked, out-of-scope, no-numbers). Which decisions ({@code lines}: failures, the default; all; off) and at most {@code perSecond}
 * lines a second (the rest counted {@code decision_lines_dropped}, as are lines that find the queue full).
 *
 * <p>The event loop only formats the line and offers it to a lock-free queue; one daemon thread writes the
 * queue to standard output (the journal under systemd).
 */
public final class DecisionLog implements Decisions {
    /** Which decisions get a line. */
    public enum Lines { FAILURES, ALL, OFF }

    /**
     * The settings ({@code verification.decisionLog}).
     *
     * @param lines     which decisions
     * @param perSecond the most lines a second (1 to 100,000)
     */
    public record Settings(Lines lines, int perSecond) {
        /** Failures, at most 100 lines a second. */
        public static final Settings DEFAULT = new Settings(Lines.FAILURES, 100);
    }

    private static final int QUEUE = 8192;
    /** How many decisions {@link #recent()} keeps unless {@link #keep(int)} says otherwise. */
    public static final int RECENT = 64;
    private static volatile java.util.concurrent.atomic.AtomicReferenceArray<java.util.function.Supplier<String>> ring =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(RECENT);
    private static final AtomicLong RING_NEXT = new AtomicLong();
    private static final ManyToOneConcurrentArrayQueue<String> PENDING = new ManyToOneConcurrentArrayQueue<>(QUEUE);
    private static volatile Thread writer;

    private final Settings settings;
    private final Predicate<String> sink;
    private final AtomicLong window = new AtomicLong();

    /** Lines by {@code settings} to the journal (standard output, written by the log's own thread). */
    public static DecisionLog journal(Settings settings) {
        return new DecisionLog(settings, DecisionLog::enqueue);
    }

    /** Lines by {@code settings} offered to {@code sink}, which says whether it took the line. */
    public DecisionLog(Settings settings, Predicate<String> sink) {
        this.settings = settings;
        this.sink = sink;
    }

    @Override
    public void verified(VerificationFacts f, Verification v, ProxyCounters counts) {
        long at = System.currentTimeMillis();
        remember(() -> line(f, v, java.time.Instant.ofEpochMilli(at)));
        if (settings.lines() == Lines.OFF || (settings.lines() == Lines.FAILURES && v.passed())) {
            return;
        }
        if (!admit(at / 1000)) {
            counts.count(ProxyCounters.Event.DECISION_LINES_DROPPED);
            return;
        }
        if (!sink.test(line(f, v))) {
            counts.count(ProxyCounters.Event.DECISION_LINES_DROPPED);
        }
    }

    /**
     * Keeps a decision among the last {@link #RECENT} (every decision, whatever the journal keeps): its facts and
     * outcome, formatted only when {@link #recent()} is asked, not on the event loop of every call.
     */
    private static void remember(java.util.function.Supplier<String> line) {
        java.util.concurrent.atomic.AtomicReferenceArray<java.util.function.Supplier<String>> r = ring;
        r.set((int) (RING_NEXT.getAndIncrement() % r.length()), line);
    }

    /**
     * Keeps the last {@code n} decisions from now on ({@code console.recentCalls}); the ones kept so far are
     * forgotten when the size changes.
     */
    public static synchronized void keep(int n) {
        if (n != ring.length()) {
            ring = new java.util.concurrent.atomic.AtomicReferenceArray<>(n);
            RING_NEXT.set(0);
        }
    }

    /**
     * The last decisions of this process (at most {@link #RECENT}), oldest first: every signing and verification
     * decision's JSON line, kept whatever {@code lines} says the journal gets (for {@code shakengate status}).
     */
    public static java.util.List<String> recent() {
        java.util.concurrent.atomic.AtomicReferenceArray<java.util.function.Supplier<String>> r = ring;
        int size = r.length();
        long end = RING_NEXT.get();
        java.util.List<String> out = new java.util.ArrayList<>(Math.min(size, 1024));
        for (long i = Math.max(0, end - size); i < end; i++) {
            java.util.function.Supplier<String> l = r.get((int) (i % size));
            if (l != null) {
                out.add(l.get());
            }
        }
        return out;
    }

    @Override
    public void authenticated(io.shakengate.proxy.stir.CallFacts f, io.shakengate.proxy.stir.Authentication a,
                              String identity, ProxyCounters counts) {
        io.shakengate.proxy.stir.Authentication.Outcome o = a.outcome();
        boolean failure = o == io.shakengate.proxy.stir.Authentication.Outcome.BLOCKED
                || o == io.shakengate.proxy.stir.Authentication.Outcome.OUT_OF_SCOPE
                || o == io.shakengate.proxy.stir.Authentication.Outcome.NO_NUMBERS;
        long at = System.currentTimeMillis();
        remember(() -> line(f, a, identity, java.time.Instant.ofEpochMilli(at)));
        if (settings.lines() == Lines.OFF || (settings.lines() == Lines.FAILURES && !failure)) {
            return;
        }
        if (!admit(at / 1000) || !sink.test(line(f, a, identity))) {
            counts.count(ProxyCounters.Event.DECISION_LINES_DROPPED);
        }
    }

    /** The JSON line of a signing decision. */
    public static String line(io.shakengate.proxy.stir.CallFacts f, io.shakengate.proxy.stir.Authentication a,
                              String identity) {
        return line(f, a, identity, java.time.Instant.now());
    }

    private static String line(io.shakengate.proxy.stir.CallFacts f, io.shakengate.proxy.stir.Authentication a,
                               String identity, java.time.Instant at) {
        StringBuilder b = new StringBuilder(256).append("{\"time\":\"").append(at)
                .append("\",\"event\":\"signing\",\"point\":");
        Json.quote(b, f.point()).append(",\"callId\":");
        nullable(b, f.callId()).append(",\"orig\":");
        nullable(b, f.calling()).append(",\"dest\":[");
        for (int i = 0; i < f.called().size(); i++) {
            Json.quote(b.append(i == 0 ? "" : ","), f.called().get(i));
        }
        b.append("],\"outcome\":\"").append(a.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append("\",\"rule\":");
        nullable(b, a.rule()).append(",\"identity\":");
        nullable(b, identity).append(",\"attestation\":");
        nullable(b, a.attestation() == null ? null : a.attestation().name()).append(",\"delivery\":");
        nullable(b, a.delivery() == null ? null : a.delivery().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append(",\"passports\":").append(a.signed() ? 1 + a.family().size() : a.family().size()).append('}');
        return b.toString();
    }

    private static StringBuilder nullable(StringBuilder b, String v) {
        return v == null ? b.append("null") : Json.quote(b, v);
    }

    /** Whether one more line fits this second's allowance (a counter per second, no lock). */
    private boolean admit(long second) {
        while (true) {
            long w = window.get();
            long ws = w >>> 20;
            long n = w & 0xFFFFF;
            long next = ws == second ? (n >= settings.perSecond() ? -1 : w + 1) : (second << 20) | 1;
            if (next < 0) {
                return false;
            }
            if (window.compareAndSet(w, next)) {
                return true;
            }
        }
    }

    /** The JSON line of a decision. */
    public static String line(VerificationFacts f, Verification v) {
        return line(f, v, java.time.Instant.now());
    }

    private static String line(VerificationFacts f, Verification v, java.time.Instant at) {
        StringBuilder b = new StringBuilder(256).append("{\"time\":\"").append(at)
                .append("\",\"event\":\"verification\",\"point\":");
        Json.quote(b, f.point()).append(",\"callId\":");
        if (f.callId() == null) {
            b.append("null");
        } else {
            Json.quote(b, f.callId());
        }
        b.append(",\"orig\":");
        if (f.orig() == null) {
            b.append("null");
        } else {
            Json.quote(b, f.orig());
        }
        b.append(",\"dest\":[");
        for (int i = 0; i < f.dest().size(); i++) {
            Json.quote(b.append(i == 0 ? "" : ","), f.dest().get(i));
        }
        VerificationFailure failure = v.failure();
        b.append("],\"outcome\":\"").append(v.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .append("\",\"reason\":").append(failure == null ? "null"
                        : "\"" + failure.name().toLowerCase(Locale.ROOT) + "\"")
                .append(",\"code\":").append(failure == null ? 0 : failure.sipStatus())
                .append(",\"verstat\":\"").append(v.verstat()).append("\",\"action\":\"")
                .append(v.action().name().toLowerCase(Locale.ROOT).replace('_', '-')).append("\",\"timedOut\":")
                .append(v.timedOut()).append(",\"passports\":").append(v.passports().size())
                .append(",\"emergency\":").append(v.emergency()).append(",\"attestation\":");
        nullable(b, v.passed() ? v.result().attest() : null).append(",\"spc\":");
        nullable(b, v.result().spc()).append(",\"x5u\":");
        nullable(b, f.identities().isEmpty() ? null : f.identities().get(0).info()).append('}');
        return b.toString();
    }

    private static boolean enqueue(String line) {
        startWriter();
        return PENDING.offer(line);
    }

    private static void startWriter() {
        if (writer != null) {
            return;
        }
        synchronized (DecisionLog.class) {
            if (writer == null) {
                Thread t = new Thread(() -> {
                    while (true) {
                        String l = PENDING.poll();
                        if (l == null) {
                            System.out.flush();
                            LockSupport.parkNanos(2_000_000L);
                            continue;
                        }
                        PrintStream out = System.out;
                        out.println(l);
                    }
                }, "decision-log");
                t.setDaemon(true);
                t.start();
                writer = t;
            }
        }
    }
}
