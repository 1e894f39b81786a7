package io.shakengate.proxy.metrics;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What the proxy counts, as Agrona counters: each an {@link AtomicCounter} in one values buffer with its
 * label in a metadata buffer (the layout a separate reader process can map later, as Aeron's AeronStat does).
 * Event loops increment with an atomic add; readers never lock.
 */
public final class ProxyCounters {
    /** Counted events; the ordinal is the counter id. */
    public enum Event {
        REQUEST_FORWARDED, RESPONSE_FORWARDED, REQUEST_REJECTED, RESPONSE_DROPPED, SIGNED, SIGN_SKIPPED_NO_TN,
        IDENTITY_KEPT, VERIFIED_PASSED, VERIFIED_FAILED, VERIFY_NO_IDENTITY, VERIFY_TIMEOUT, LOOP_DETECTED,
        TOO_MANY_HOPS, UNROUTABLE, OOB_PUBLISHED, OOB_PUBLISH_FAILED, OOB_RETRIEVED, OOB_RETRIEVED_NONE, SENT_OVER_TCP, RETRANSMISSION_ABSORBED,
        NEXT_HOP_CHANGED, NEXT_HOP_LOOKUP_FAILED, OOB_UNDECRYPTABLE,
        /** A call carried more Identity headers than maxPassportsPerCall: the rest were not looked at. */
        PASSPORTS_OVER_LIMIT,
        /** An Identity header of a PASSporT type this appliance does not know (ignored). */
        PPT_UNKNOWN,
        /** An emergency call (verified and marked, never refused). */
        EMERGENCY_CALL,
        /** An emergency call a policy would have refused: forwarded instead. */
        EMERGENCY_NOT_REFUSED,
        /** A div, rcd or rph PASSporT verified. */
        FAMILY_PASSED,
        /** A div, rcd or rph PASSporT failed. */
        FAMILY_FAILED,
        /** A call blocked on analytics (603+, or 603 without redress contacts). */
        BLOCKED_ANALYTICS,
        /** A call blocked by a Do-Not-Originate rule (603 Decline). */
        BLOCKED_DNO,
        /** A call answered 608 Rejected. */
        BLOCKED_608,
        /** A div PASSporT signed for a diverted call. */
        SIGNED_DIV,
        /** An rcd PASSporT signed for a branded number. */
        SIGNED_RCD,
        /** An rph PASSporT signed for an authorised Resource-Priority. */
        SIGNED_RPH,
        /** A Resource-Priority removed because its rph PASSporT failed. */
        PRIORITY_REMOVED,
        /** An OPTIONS for the appliance itself answered (200, or 503 while stopping). */
        OPTIONS_ANSWERED,
        /** A call signed with the default identity because the rule's identity does not cover its number. */
        IDENTITY_FALLBACK,
        /** A call left unsigned because no identity covers its calling number. */
        SIGN_OUT_OF_SCOPE,
        /** A configuration reload applied (SIGHUP). */
        RELOADED,
        /** A reload refused (a bad file, key or chain): the running configuration stays. */
        RELOAD_REFUSED;

        /** The Prometheus name, e.g. {@code shakengate_verified_passed_total}. */
        public String metricName() {
            return "shakengate_" + name().toLowerCase(Locale.ROOT) + "_total";
        }
    }

    private static final int TYPE_ID = 1;
    private final CountersManager manager;
    private final AtomicCounter[] counters = new AtomicCounter[Event.values().length];

    /** All counters at zero. */
    public ProxyCounters() {
        int n = Event.values().length;
        AtomicBuffer meta = new UnsafeBuffer(ByteBuffer.allocateDirect(n * CountersReader.METADATA_LENGTH));
        AtomicBuffer values = new UnsafeBuffer(ByteBuffer.allocateDirect(n * CountersReader.COUNTER_LENGTH));
        manager = new CountersManager(meta, values);
        for (Event e : Event.values()) {
            counters[e.ordinal()] = manager.newCounter(e.name().toLowerCase(Locale.ROOT), TYPE_ID);
        }
    }

    /** PASSporT types counted by {@link #countPassport}. */
    public static final java.util.List<String> PPTS = java.util.List.of("shaken", "div", "rcd", "rph");
    private static final int RESULTS = io.shakengate.crypto.VerificationFailure.values().length + 1;
    private final java.util.concurrent.atomic.AtomicLongArray passports =
            new java.util.concurrent.atomic.AtomicLongArray(PPTS.size() * RESULTS);

    /** Counts one PASSporT of type {@code ppt} checked with {@code failure} (null: passed). */
    public void countPassport(String ppt, io.shakengate.crypto.VerificationFailure failure) {
        int t = PPTS.indexOf(ppt == null ? "shaken" : ppt);
        if (t >= 0) {
            passports.incrementAndGet(t * RESULTS + (failure == null ? 0 : failure.ordinal() + 1));
        }
    }

    /** The count of PASSporTs of type {@code ppt} checked with {@code failure} (null: passed). */
    public long passports(String ppt, io.shakengate.crypto.VerificationFailure failure) {
        int t = PPTS.indexOf(ppt);
        return t < 0 ? 0 : passports.get(t * RESULTS + (failure == null ? 0 : failure.ordinal() + 1));
    }

    /** Counts one {@code e}. */
    public void count(Event e) {
        counters[e.ordinal()].increment();
    }

    /** The count of {@code e}. */
    public long get(Event e) {
        return counters[e.ordinal()].get();
    }

    /** The reader over the counters buffers. */
    public CountersReader reader() {
        return manager;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Event e : Event.values()) {
            long v = get(e);
            if (v != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT)).append('=').append(v);
            }
        }
        return b.toString();
    }
}
