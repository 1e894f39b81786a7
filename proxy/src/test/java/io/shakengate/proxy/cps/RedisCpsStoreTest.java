package io.shakengate.proxy.cps;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Redis store against a real redis-server: publish and retrieve, replay refused, the per-call bound,
 * expiry by score (the store's clock) and by Redis's own key expiry, two nodes sharing one Redis, and a
 * Redis that is down failing fast.
 */
class RedisCpsStoreTest {
    @TempDir
    Path dir;

    @Test
    void sharedBoundedExpiringAndReplayProof() throws Exception {
        Transports transports = Transports.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        try (RedisServer redis = new RedisServer(dir);
             RedisCpsStore a = new RedisCpsStore(group, transports, redis.address, 3, "t:", clock::get);
             RedisCpsStore b = new RedisCpsStore(group, transports, redis.address, 3, "t:", clock::get)) {
            long now = clock.get();
            assertEquals(CpsStore.Outcome.STORED, a.publish("2", "1", List.of("p1"), now + 15_000, "j1", now + 120_000).join());
            assertEquals(CpsStore.Outcome.REPLAYED, b.publish("2", "1", List.of("p1"), now + 15_000, "j1", now + 120_000)
                    .join(), "node b sees the token id node a stored");
            assertEquals(List.of("p1"), b.retrieve("2", "1").join(), "node b retrieves what node a stored");
            assertEquals(CpsStore.Outcome.STORED, a.publish("2", "1", List.of("p2", "p3"), now + 5_000, "j2",
                    now + 120_000).join());
            assertEquals(CpsStore.Outcome.TOO_MANY, a.publish("2", "1", List.of("p4"), now + 15_000, "j3",
                    now + 120_000).join(), "three per call");
            assertEquals(List.of("p2", "p3", "p1"), a.retrieve("2", "1").join(), "by expiry");
            clock.addAndGet(6_000);
            assertEquals(List.of("p1"), a.retrieve("2", "1").join(), "p2 and p3 expired");
            assertEquals(CpsStore.Outcome.STORED, a.publish("2", "1", List.of("p5"), clock.get() + 15_000, "j4",
                    clock.get() + 120_000).join(), "expired ones no longer count");
            assertEquals(List.of(), a.retrieve("9", "1").join());
            // Redis drops the call's key itself at the last expiry
            assertEquals(CpsStore.Outcome.STORED, a.publish("3", "1", List.of("q"), System.currentTimeMillis() + 300,
                    "j5", System.currentTimeMillis() + 300).join());
            Thread.sleep(500);
            assertEquals(0L, a.command("EXISTS", "t:call:3/1").join());
            assertEquals(0L, a.command("EXISTS", "t:jti:j5").join());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aRedisThatIsDownFailsFast() throws Exception {
        Transports transports = Transports.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        try (RedisCpsStore store = new RedisCpsStore(group, transports, new java.net.InetSocketAddress(
                java.net.InetAddress.getLoopbackAddress(), io.shakengate.proxy.Sipp.freeTcpPort()), 3, "t:",
                System::currentTimeMillis)) {
            long start = System.nanoTime();
            assertThrows(CompletionException.class, () -> store.retrieve("2", "1").join());
            assertThrows(CompletionException.class, () -> store.publish("2", "1", List.of("p"), 1, "j", 1).join());
            long millis = (System.nanoTime() - start) / 1_000_000;
            org.junit.jupiter.api.Assertions.assertTrue(millis < 3000, "failed in " + millis + " ms");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
