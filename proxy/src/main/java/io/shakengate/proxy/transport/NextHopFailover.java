package io.shakengate.proxy.transport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A listening point's next hop given as several addresses (RFC 3263 section 4.3): a request goes to the first one
 * whose hold-down is over; an address that refused a connection is held down for the hold-down time and the
 * request that met the refusal tries the next one. When every address is held down the one whose hold-down ends
 * first is tried (a refusal then costs one connection attempt, not a lost request). Shared by the point's
 * handlers on every event loop: the hold-downs are an atomic array; nothing locks. Refusals are counted by the caller, with every next
 * hop's ({@code ProxyCounters.refused}).
 */
public final class NextHopFailover {
    /** The addresses and their hold-downs, replaced together when a name's SRV targets change. */
    private record State(List<InetSocketAddress> hops, AtomicLongArray downUntil) {
    }

    private final long holdDownNanos;
    private volatile State state;

    /** Failover over {@code hops} (in order of preference), holding a refusing one down {@code holdDownSeconds}. */
    public NextHopFailover(List<InetSocketAddress> hops, int holdDownSeconds) {
        if (hops.size() < 2) {
            throw new IllegalArgumentException("failover needs two next hops or more");
        }
        this.holdDownNanos = holdDownSeconds * 1_000_000_000L;
        this.state = new State(List.copyOf(hops), new AtomicLongArray(hops.size()));
    }

    /** The addresses, in order of preference. */
    public List<InetSocketAddress> hops() {
        return state.hops();
    }

    /**
     * Takes {@code next} as the addresses from now on (a name's SRV targets looked up again at a reload); an
     * address in both keeps its hold-down. Requests under way finish with the address they picked.
     */
    public void replace(List<InetSocketAddress> next) {
        if (next.size() < 2) {
            throw new IllegalArgumentException("failover needs two next hops or more");
        }
        State old = state;
        AtomicLongArray down = new AtomicLongArray(next.size());
        for (int i = 0; i < next.size(); i++) {
            int was = old.hops().indexOf(next.get(i));
            if (was >= 0) {
                down.set(i, old.downUntil().get(was));
            }
        }
        state = new State(List.copyOf(next), down);
    }

    /** Where a new request goes at {@code nowNanos}: the first address not held down, else the first to come back. */
    public InetSocketAddress pick(long nowNanos) {
        State st = state;
        List<InetSocketAddress> hops = st.hops();
        AtomicLongArray downUntil = st.downUntil();
        int soonest = 0;
        for (int i = 0; i < hops.size(); i++) {
            long until = downUntil.get(i);
            if (until == 0 || until - nowNanos <= 0) {
                return hops.get(i);
            }
            if (until - downUntil.get(soonest) < 0) {
                soonest = i;
            }
        }
        return hops.get(soonest);
    }

    /**
     * {@code hop} refused a connection at {@code nowNanos}: held down; returns the next address for the request
     * that met the refusal (one not held down, after {@code hop} in the order, wrapping), or null when there is
     * none (every other one held down too).
     */
    public InetSocketAddress refused(InetSocketAddress hop, long nowNanos) {
        State st = state;
        List<InetSocketAddress> hops = st.hops();
        AtomicLongArray downUntil = st.downUntil();
        int at = hops.indexOf(hop);
        if (at < 0) {
            return null;
        }
        downUntil.set(at, (nowNanos + holdDownNanos) | 1); // never 0: 0 means never held down
        for (int k = 1; k < hops.size(); k++) {
            int i = (at + k) % hops.size();
            long until = downUntil.get(i);
            if (until == 0 || until - nowNanos <= 0) {
                return hops.get(i);
            }
        }
        return null;
    }

    /** Whether {@code hop} is held down at {@code nowNanos}. */
    public boolean heldDown(InetSocketAddress hop, long nowNanos) {
        State st = state;
        int at = st.hops().indexOf(hop);
        long until = at < 0 ? 0 : st.downUntil().get(at);
        return until != 0 && until - nowNanos > 0;
    }

    /**
     * The family of every point's list for /metrics: whether each address is held down (its refusals are counted
     * with every next hop's, {@code shakengate_next_hop_refused_total}).
     */
    public static void render(StringBuilder b, java.util.Map<String, NextHopFailover> all) {
        if (all.isEmpty()) {
            return;
        }
        b.append("# HELP shakengate_next_hop_held_down Whether each address of a next hop given as a list is held down"
                + " now (1) or not (0).\n# TYPE shakengate_next_hop_held_down gauge\n");
        long now = System.nanoTime();
        all.forEach((point, f) -> f.hops().forEach(h -> label(b.append("shakengate_next_hop_held_down"), point, h)
                .append(f.heldDown(h, now) ? 1 : 0).append('\n')));
    }

    private static StringBuilder label(StringBuilder b, String point, InetSocketAddress h) {
        return b.append("{point=\"").append(point).append("\",hop=\"").append(io.shakengate.proxy.config.ConfigDescriber.hostPort(h)).append("\"} ");
    }
}
