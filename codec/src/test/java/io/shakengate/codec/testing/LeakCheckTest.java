package io.shakengate.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The leak check itself fails when a buffer is dropped unreleased (so a silent leak cannot pass CI). */
class LeakCheckTest {
    @Test
    void shouldFailWhenABufferIsGarbageCollectedUnreleased() {
        // This test leaks on purpose: keep its LEAK: record out of the log, which the build also checks.
        Logger detectorLog = Logger.getLogger("io.netty.util.ResourceLeakDetector");
        Level before = detectorLog.getLevel();
        detectorLog.setLevel(Level.OFF);
        try {
            LeakCheck.assertNoLeaks();
            leak();
            assertEquals(1, LeakCheck.collectLeaks(50));
        } finally {
            detectorLog.setLevel(before);
        }
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(16);
        buf.writeInt(42);
    }
}
