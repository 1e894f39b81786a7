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
        /** A div-o PASSporT (carrying the call's PASSporT) published for a diverted call delivered out of band. */
        SIGNED_DIV_O,
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
        RELOAD_REFUSED,
        /** Decision log lines not written: over verification.decisionLog.perSecond, or the queue full. */
        DECISION_LINES_DROPPED,
        /** Requests whose next hop refused the (TCP/TLS) connection: answered 503 + Retry-After. */
        NEXT_HOP_UNREACHABLE,
        /** UDP INVITE retransmissions a sign point forwarded with the Identity it signed the first with. */
        RETRANSMISSION_SAME_IDENTITY,
        /** Requests sent on to the next address of a next-hop list after one refused the connection. */
        NEXT_HOP_FAILED_OVER;

        /** The Prometheus HELP text. */
        public String help() {
            return switch (this) {
                case REQUEST_FORWARDED -> "SIP requests forwarded to a next hop.";
                case RESPONSE_FORWARDED -> "SIP responses forwarded upstream.";
                case REQUEST_REJECTED -> "SIP requests answered with an error by the appliance.";
                case RESPONSE_DROPPED -> "SIP responses dropped (no Via to send them to).";
                case SIGNED -> "INVITEs signed with a SHAKEN PASSporT.";
                case SIGN_SKIPPED_NO_TN -> "INVITEs not signed: no calling or called telephone number.";
                case IDENTITY_KEPT -> "INVITEs that already carried an Identity header, kept as they were.";
                case VERIFIED_PASSED -> "Calls whose verification passed (TN-Validation-Passed).";
                case VERIFIED_FAILED -> "Calls whose verification failed; reasons in shakengate_passports_total.";
                case VERIFY_NO_IDENTITY -> "Calls verified without any Identity header.";
                case VERIFY_TIMEOUT -> "Verifications that ran out of their budget.";
                case LOOP_DETECTED -> "Requests refused as a loop (482).";
                case TOO_MANY_HOPS -> "Requests refused for Max-Forwards 0 (483).";
                case UNROUTABLE -> "Requests that could not be routed.";
                case OOB_PUBLISHED -> "PASSporTs published to a Call Placement Service.";
                case OOB_PUBLISH_FAILED -> "Publications to a Call Placement Service that failed.";
                case OOB_RETRIEVED -> "PASSporTs retrieved from a Call Placement Service.";
                case OOB_RETRIEVED_NONE -> "Retrievals from a Call Placement Service that found none.";
                case SENT_OVER_TCP -> "Requests sent over TCP (large, or the next hop's transport).";
                case RETRANSMISSION_ABSORBED -> "INVITE retransmissions absorbed while the first was verified.";
                case NEXT_HOP_FAILED_OVER ->
                        "Requests sent on to the next address of a nextHop list after one refused the connection.";
                case RETRANSMISSION_SAME_IDENTITY ->
                        "UDP INVITE retransmissions forwarded with the Identity the first was signed with (not signed again).";
                case NEXT_HOP_CHANGED -> "Named next hops whose address changed at a DNS lookup.";
                case NEXT_HOP_LOOKUP_FAILED -> "DNS lookups of named next hops that failed (the address stays).";
                case OOB_UNDECRYPTABLE -> "Sealed PASSporTs from the CPS that could not be opened.";
                case PASSPORTS_OVER_LIMIT -> "Calls with more Identity headers than passports.maxPerCall.";
                case PPT_UNKNOWN -> "Identity headers of a PASSporT type the appliance does not know (ignored).";
                case EMERGENCY_CALL -> "Emergency calls (marked, never refused).";
                case EMERGENCY_NOT_REFUSED -> "Emergency calls a policy would have refused, forwarded instead.";
                case FAMILY_PASSED -> "div, rcd or rph PASSporTs that verified.";
                case FAMILY_FAILED -> "div, rcd or rph PASSporTs that failed.";
                case BLOCKED_ANALYTICS -> "Calls blocked on analytics (603+ or 603).";
                case BLOCKED_DNO -> "Calls blocked by a Do-Not-Originate rule (603).";
                case BLOCKED_608 -> "Calls answered 608 Rejected.";
                case SIGNED_DIV -> "div PASSporTs signed for diverted calls.";
                case SIGNED_DIV_O -> "div-o PASSporTs published for diverted calls delivered out of band.";
                case SIGNED_RCD -> "rcd PASSporTs signed for branded numbers.";
                case SIGNED_RPH -> "rph PASSporTs signed for authorised Resource-Priority.";
                case PRIORITY_REMOVED -> "Resource-Priority headers removed because their rph PASSporT failed.";
                case OPTIONS_ANSWERED -> "OPTIONS for the appliance itself answered.";
                case IDENTITY_FALLBACK -> "Calls signed by the default identity: the rule's did not cover the number.";
                case SIGN_OUT_OF_SCOPE -> "Calls left unsigned: no signing identity covers the calling number.";
                case RELOADED -> "Configuration reloads applied.";
                case RELOAD_REFUSED -> "Configuration reloads refused (the running configuration stayed).";
                case DECISION_LINES_DROPPED -> "Decision log lines not written (over the rate, or the queue full).";
                case NEXT_HOP_UNREACHABLE -> "Requests whose next hop refused the connection (answered 503).";
            };
        }

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
    public static final java.util.List<String> PPTS = java.util.List.of("shaken", "div", "rcd", "rph", "div-o");
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

    private final java.util.concurrent.atomic.AtomicLongArray failedCalls =
            new java.util.concurrent.atomic.AtomicLongArray(io.shakengate.crypto.VerificationFailure.values().length);

    /** Counts one call whose verification failed with {@code failure} (the reason that decided it). */
    public void countFailedCall(io.shakengate.crypto.VerificationFailure failure) {
        failedCalls.incrementAndGet(failure.ordinal());
    }

    /** The count of calls whose verification failed with {@code failure}. */
    public long failedCalls(io.shakengate.crypto.VerificationFailure failure) {
        return failedCalls.get(failure.ordinal());
    }

    /** Connections refused by each next hop, by "point hop" (a rare event: a map, not a counter slot). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> refusedBy =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Counts a connection that next hop {@code hop} ("host:port") of point {@code point} refused. */
    public void refused(String point, String hop) {
        refusedBy.computeIfAbsent(point + ' ' + hop, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    /** The connections {@code hop} of {@code point} refused. */
    public long refusals(String point, String hop) {
        java.util.concurrent.atomic.LongAdder a = refusedBy.get(point + ' ' + hop);
        return a == null ? 0 : a.sum();
    }

    /** Every (point, hop) that refused a connection, with its count, for /metrics: "point hop" to count. */
    public java.util.Map<String, Long> refusals() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        refusedBy.forEach((k, v) -> out.put(k, v.sum()));
        return out;
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
