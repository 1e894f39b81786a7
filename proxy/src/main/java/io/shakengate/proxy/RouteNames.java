package io.shakengate.proxy;

import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.NextHops;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hosts named by DNS in the Route or Request-URI of a request routed through a record-routing point (after the
 * Routes naming the point): looked up on threads of their own, never an event loop (SRV by the outgoing
 * transport when the URI has no port, then A/AAAA, as next hops), and remembered for their records' TTL. Bounded:
 * at most {@value #MAX_REMEMBERED} names remembered (then forgotten at once), at most {@value #MAX_PENDING}
 * lookups at a time (a request beyond gets 503, an ACK is dropped; counted as unroutable).
 */
final class RouteNames implements AutoCloseable {
    /** Names remembered at most. */
    static final int MAX_REMEMBERED = 4096;
    /** Lookups under way at most. */
    static final int MAX_PENDING = 64;
    /** How long a name is remembered when its TTL is not known, and at most (seconds). */
    static final long DEFAULT_SECONDS = 60;

    private record Known(InetSocketAddress address, long untilNanos) {
    }

    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final ExecutorService lookups = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "sip-route-dns");
        t.setDaemon(true);
        return t;
    });

    /** The remembered address of {@code hostPort} over {@code transport}, or null (not known, or expired). */
    InetSocketAddress known(String hostPort, String transport) {
        Known k = known.get(hostPort + ' ' + transport);
        return k != null && k.untilNanos() - System.nanoTime() > 0 ? k.address() : null;
    }

    /**
     * Looks {@code hostPort} up for {@code transport} (udp, tcp, tls); completes with null when it fails; null
     * itself when {@value #MAX_PENDING} lookups are already under way.
     */
    CompletableFuture<InetSocketAddress> lookUp(String hostPort, String transport) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            return null;
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    NextHops.Resolved r = ApplianceConfig.lookUpName(hostPort, transport);
                    long seconds = r.ttl() < 0 ? DEFAULT_SECONDS : Math.max(1, Math.min(r.ttl(), DEFAULT_SECONDS));
                    if (known.size() >= MAX_REMEMBERED) {
                        known.clear();
                    }
                    known.put(hostPort + ' ' + transport, new Known(r.address(),
                            System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)));
                    return r.address();
                } catch (IllegalArgumentException failed) {
                    return null;
                } finally {
                    pending.decrementAndGet();
                }
            }, lookups);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            pending.decrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }
}
