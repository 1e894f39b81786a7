package io.shakengate.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the proxy counts. Thread-safe (one atomic per counter); the metrics issue work exports them.
 */
public final class ProxyCounters {
    /** Counted events. */
    public enum Event {
        REQUEST_FORWARDED, RESPONSE_FORWARDED, REQUEST_REJECTED, RESPONSE_DROPPED, SIGNED, SIGN_SKIPPED_NO_TN,
        IDENTITY_KEPT, VERIFIED_PASSED, VERIFIED_FAILED, VERIFY_NO_IDENTITY, VERIFY_TIMEOUT, LOOP_DETECTED,
        TOO_MANY_HOPS, UNROUTABLE
    }

    private final Map<Event, AtomicLong> counts = new EnumMap<>(Event.class);

    /** All counters at zero. */
    public ProxyCounters() {
        for (Event e : Event.values()) {
            counts.put(e, new AtomicLong());
        }
    }

    /** Counts one {@code e}. */
    public void count(Event e) {
        counts.get(e).incrementAndGet();
    }

    /** The count of {@code e}. */
    public long get(Event e) {
        return counts.get(e).get();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Event e : Event.values()) {
            long v = get(e);
            if (v != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(e.name().toLowerCase(java.util.Locale.ROOT)).append('=')
                        .append(v);
            }
        }
        return b.toString();
    }
}
