package io.shakengate.proxy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A graceful stop for a stateless proxy: once {@link #begin() begun}, new INVITEs are answered
 * {@code 503 Service Unavailable} with {@code Retry-After} (the softswitch takes its alternate route), while
 * responses, in-dialog requests and the verifications already started go on. {@link #await} returns when no
 * verification is pending and no message has been handled for {@code quietMillis}, or at the deadline,
 * whichever comes first. (Being stateless, the proxy cannot know of calls still ringing behind it; the quiet
 * period and the deadline are the settings that cover them.)
 */
public final class Drain {
    private volatile boolean draining;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long lastActivityNanos = System.nanoTime();

    /** Stops taking new INVITEs. */
    public void begin() {
        draining = true;
        lastActivityNanos = System.nanoTime();
    }

    /** True once the drain has begun. */
    public boolean draining() {
        return draining;
    }

    void activity() {
        lastActivityNanos = System.nanoTime();
    }

    void started() {
        pending.incrementAndGet();
    }

    void finished() {
        pending.decrementAndGet();
        lastActivityNanos = System.nanoTime();
    }

    /** Verifications in progress. */
    public int pending() {
        return pending.get();
    }

    /**
     * Waits until idle (nothing pending, nothing handled for {@code quietMillis}) or {@code maxMillis} pass;
     * true if idle was reached.
     */
    public boolean await(long quietMillis, long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        long quiet = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        while (System.nanoTime() < deadline) {
            if (pending.get() == 0 && System.nanoTime() - lastActivityNanos >= quiet) {
                return true;
            }
            Thread.sleep(20);
        }
        return pending.get() == 0 && System.nanoTime() - lastActivityNanos >= quiet;
    }
}
