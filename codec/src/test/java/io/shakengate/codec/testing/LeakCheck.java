package io.shakengate.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes Netty buffer leaks fail tests. {@link #install()} (done by {@link LeakCheckExtension} before any
 * buffer class loads) puts in a leak detector that counts the leaks it reports; {@link #assertNoLeaks()}
 * collects garbage, makes the detector look at what was collected, and fails if anything leaked since the
 * previous check. Tests run with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 */
public final class LeakCheck {
    private static final AtomicInteger LEAKS = new AtomicInteger();
    private static volatile boolean installed;

    private LeakCheck() {
    }

    /** Installs the counting detector factory; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new CountingDetector<>(resource, samplingInterval);
            }
        });
        installed = true;
    }

    /** Fails (AssertionError) if any tracked buffer was garbage collected without being released. */
    public static void assertNoLeaks() {
        int leaks = collectLeaks(3);
        if (leaks != 0) {
            throw new AssertionError(leaks + " Netty buffer(s) leaked (see LEAK: records in the test output)");
        }
    }

    /**
     * Runs up to {@code rounds} rounds of garbage collection plus detector polling, stopping at the first round
     * that finds a leak; returns (and resets) the number of leaks found since the last call.
     */
    public static int collectLeaks(int rounds) {
        for (int round = 0; round < rounds && LEAKS.get() == 0; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return LEAKS.getAndSet(0);
            }
            // Each new tracked buffer makes the detector poll its reference queue and report.
            for (int i = 0; i < 64; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(8);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(8);
                a.release();
                b.release();
            }
        }
        return LEAKS.getAndSet(0);
    }

    private static final class CountingDetector<T> extends ResourceLeakDetector<T> {
        @SuppressWarnings("deprecation")
        CountingDetector(Class<?> type, int samplingInterval) {
            super(type, samplingInterval);
        }

        /** Count leaks even when the detector's logger is off (LeakCheckTest turns it off). */
        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.incrementAndGet();
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.incrementAndGet();
            super.reportUntracedLeak(resourceType);
        }
    }
}
