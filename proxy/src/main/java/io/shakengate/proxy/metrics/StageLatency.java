package io.shakengate.proxy.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.EnumMap;
import java.util.Map;

/**
 * Time each INVITE spends inside the appliance, per stage, in HdrHistogram {@link Recorder}s: event loops
 * record (wait-free), the metrics reader folds the interval histograms into running totals. Values are
 * nanoseconds, from the handler's first look at the message to the hand-off of the forwarded copy (a
 * verification waiting for a certificate included).
 */
public final class StageLatency {
    /** The stages. */
    public enum Stage {
        /** Signing INVITEs (authentication service). */
        SIGN,
        /** Verifying INVITEs (verification service), waiting included. */
        VERIFY,
        /** Forwarding anything else. */
        FORWARD
    }

    private static final long MAX_NANOS = 60_000_000_000L;
    private final Map<Stage, Recorder> recorders = new EnumMap<>(Stage.class);
    private final Map<Stage, Histogram> totals = new EnumMap<>(Stage.class);

    /** Empty histograms (1 µs to 60 s, 3 significant digits). */
    public StageLatency() {
        for (Stage s : Stage.values()) {
            recorders.put(s, new Recorder(MAX_NANOS, 3));
            totals.put(s, new Histogram(MAX_NANOS, 3));
        }
    }

    /** Records that {@code stage} took {@code nanos}. Safe from any thread. */
    public void record(Stage stage, long nanos) {
        recorders.get(stage).recordValue(Math.min(Math.max(nanos, 1), MAX_NANOS));
    }

    /** The running total of {@code stage} (a copy), after folding in what was recorded since last time. */
    public synchronized Histogram snapshot(Stage stage) {
        Histogram total = totals.get(stage);
        total.add(recorders.get(stage).getIntervalHistogram());
        return total.copy();
    }
}
