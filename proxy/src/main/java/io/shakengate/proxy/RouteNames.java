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
 * transport when the URI has no port, then A/AAAA, as next hops), and remembered for their records' TTL. Bounded
 * by {@link #limits} (the configuration's {@code routeLookups}): names remembered (then all forgotten), lookups
 * at a time (a request beyond gets 503, an ACK is dropped; counted as unroutable), seconds an answer is kept.
 */
final class RouteNames implements AutoCloseable {
    private volatile int maxRemembered = 4096;
    private volatile int maxPending = 64;
    /** How long a name is remembered when its TTL is not known, and at most (seconds). */
    private volatile long maxSeconds = 60;

    /** Sets the bounds (start and reload). */
    void limits(int remembered, int atOnce, int seconds) {
        maxRemembered = remembered;
        maxPending = atOnce;
        maxSeconds = seconds;
    }

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
     * itself when the most lookups allowed are already under way.
     */
    CompletableFuture<InetSocketAddress> lookUp(String hostPort, String transport) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return null;
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    NextHops.Resolved r = ApplianceConfig.lookUpName(hostPort, transport);
                    long most = maxSeconds;
                    long seconds = r.ttl() < 0 ? most : Math.max(1, Math.min(r.ttl(), most));
                    if (known.size() >= maxRemembered) {
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
