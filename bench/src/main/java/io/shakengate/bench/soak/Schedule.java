package io.shakengate.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fault schedule: one cycle of faults, repeated while the UACs call, each fault a window the accounting
 * may explain calls by (from its start to its end plus the time the components need to see it is over: the x5u
 * cache's 3 s lifetime and 2 s breaker, the CPS client's timeout, SIP's retransmissions). SIGHUP to both
 * appliances every 5 s and a resource sample every 10 s, on the same clock. A fault begins only if it ends
 * 10 s before the calling stops.
 */
final class Schedule {
    /** What the schedule strikes. */
    interface Faults {
        void x5u(X5uHost.Mode m) throws Exception;

        void cps(FaultyRelay.Mode m) throws Exception;

        void redis(boolean up) throws Exception;

        void uas(boolean up) throws Exception;

        /** SIGTERM the verify appliance, start it again; returns when it answers again (epoch ms). */
        long restartVerify() throws Exception;

        void sighup() throws Exception;

        void sample() throws Exception;

        boolean calling();
    }

    private final FaultSoak.Settings settings;
    private final long startMillis;
    private final StringBuilder log;
    private final List<Accounting.Window> windows = new ArrayList<>();

    Schedule(FaultSoak.Settings settings, long startMillis, StringBuilder log) {
        this.settings = settings;
        this.startMillis = startMillis;
        this.log = log;
    }

    List<Accounting.Window> windows() {
        return List.copyOf(windows);
    }

    /** A step of the cycle: at {@code at} (fraction of the cycle) for {@code seconds}. */
    private record Step(double at, String name, double seconds) {
    }

    private static final List<Step> CYCLE = List.of(
            new Step(0.06, "x5u slow (5 s answers)", 0.06),
            new Step(0.16, "x5u down (connection refused)", 0.06),
            new Step(0.26, "x5u garbage", 0.06),
            new Step(0.36, "x5u another certificate", 0.06),
            new Step(0.46, "cps down", 0.06),
            new Step(0.56, "cps slow (5 s)", 0.06),
            new Step(0.66, "redis SIGKILL + restart", 0.05),
            new Step(0.76, "uas stopped 3 s + restarted", 0),
            new Step(0.86, "verify appliance SIGTERM + restart", 0));

    void run(Faults f) throws Exception {
        long end = startMillis + settings.seconds() * 1000L;
        nextHup = startMillis + 5000;
        nextSample = startMillis + 2000;
        long cycleMillis = settings.cycle() * 1000L;
        for (long cycleStart = startMillis; ; cycleStart += cycleMillis) {
            for (Step step : CYCLE) {
                long at = cycleStart + (long) (step.at() * cycleMillis);
                long length = (long) (step.seconds() * cycleMillis);
                if (at + length + 10_000 > end) {
                    continue;
                }
                while (System.currentTimeMillis() < at) {
                    tick(f, end);
                    Thread.sleep(Math.max(1, Math.min(100, at - System.currentTimeMillis())));
                }
                strike(f, step, length);
            }
            if (cycleStart + cycleMillis >= end) {
                break;
            }
        }
        while (f.calling()) {
            tick(f, end);
            Thread.sleep(100);
        }
        f.sample();
        log.append("SIGHUPs sent to each appliance: ").append(hups).append('\n');
    }

    private long nextHup;
    private long nextSample;
    private int hups;

    /** SIGHUP both appliances when one is due (while calling), a resource sample when one is due. */
    private void tick(Faults f, long end) throws Exception {
        long now = System.currentTimeMillis();
        if (now >= nextHup && now < end) {
            f.sighup();
            hups++;
            nextHup += 5000;
        }
        if (now >= nextSample) {
            f.sample();
            nextSample += 10_000;
        }
    }

    private void strike(Faults f, Step step, long length) throws Exception {
        long from = System.currentTimeMillis();
        long to;
        Set<String> both = FaultSoak.BOTH;
        Set<String> verstat = Set.of(Accounting.VERSTAT);
        switch (step.name().substring(0, 4)) {
            case "x5u " -> {
                f.x5u(step.name().contains("slow") ? X5uHost.Mode.SLOW : step.name().contains("down")
                        ? X5uHost.Mode.DOWN : step.name().contains("garbage") ? X5uHost.Mode.GARBAGE : X5uHost.Mode.OTHER);
                Thread.sleep(length);
                f.x5u(X5uHost.Mode.OK);
                to = System.currentTimeMillis();
                // the cached chain lives 3 s (2 s max-age, 1 s minimum), a failure 1 s, the breaker 2 s; a
                // slow answer is waited for at most 5 s by the fetcher; CPS tokens' x5u too
                windows.add(new Accounting.Window(step.name(), from - 1000, to + 8000, both, verstat));
            }
            case "cps " -> {
                f.cps(step.name().contains("slow") ? FaultyRelay.Mode.SLOW : FaultyRelay.Mode.DOWN);
                Thread.sleep(length);
                f.cps(FaultyRelay.Mode.PASS);
                to = System.currentTimeMillis();
                // a slow relay holds the connections it accepted 5 s more
                windows.add(new Accounting.Window(step.name(), from - 1000, to + 7000, FaultSoak.TCP, verstat));
            }
            case "redi" -> {
                f.redis(false);
                Thread.sleep(length);
                f.redis(true);
                to = System.currentTimeMillis();
                // what was published before the kill is gone (no persistence): calls up to the retention
                windows.add(new Accounting.Window(step.name(), from - 15_000, to + 5000, FaultSoak.TCP, verstat));
            }
            case "uas " -> {
                f.uas(false);
                Thread.sleep(3000);
                f.uas(true);
                to = System.currentTimeMillis();
                // dialogs the old UAS held: their BYE meets a UAS that does not know them (481); over TCP, an
                // INVITE in flight at the stop has no retransmission (lost, in flight); a new TCP INVITE finds
                // the next hop refusing (503); a UDP INVITE meets the UAS's port unreachable (503 from the
                // verify point, which sees the ICMP error), or is retransmitted until the new UAS answers
                windows.add(new Accounting.Window(step.name(), from - 2000, to + 1000, both,
                        Set.of(Accounting.BYE, Accounting.LOST, Accounting.REFUSED)));
            }
            default -> {
                to = f.restartVerify();
                // draining: new INVITEs 503 + Retry-After; down: TCP next hop refused (503 from the sign
                // appliance), UDP lost datagrams retransmitted; dialogs it held: BYE answered 481/503 or lost
                windows.add(new Accounting.Window(step.name(), from - 2000, to + 3000, both,
                        Set.of(Accounting.BYE, Accounting.LOST, Accounting.REFUSED, Accounting.VERSTAT)));
            }
        }
        log.append(String.format(Locale.ROOT, "t=%6.1f s  %s (%.1f s)%n", (from - startMillis) / 1000.0, step.name(),
                (to - from) / 1000.0));
    }
}
