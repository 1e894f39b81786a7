package io.shakengate.proxy.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The notifications reach a datagram socket like systemd's, and the watchdog pings stop when a loop is stuck. */
class SdNotifyTest {
    @TempDir
    Path dir;

    @Test
    void sendsReadyReloadingStoppingAndWatchdogAndHoldsPingsWhileALoopIsBlocked() throws Exception {
        assertTrue(Epoll.isAvailable(), "the native epoll transport must load on this platform: "
                + Epoll.unavailabilityCause());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        String path = dir.resolve("notify").toString();
        try {
            Channel systemd = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                            received.add(p.content().toString(StandardCharsets.UTF_8));
                        }
                    }).bind(new DomainSocketAddress(path)).sync().channel();
            try (SdNotify n = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "100000"),
                    group, true)) {
                assertTrue(n.describe().contains("watchdog pings on"), n.describe());
                n.ready("listening");
                n.reloading();
                n.stopping("draining");
                assertEquals("READY=1\nSTATUS=listening", next(received, "READY"));
                assertTrue(next(received, "RELOADING").matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading"));
                assertEquals("STOPPING=1\nSTATUS=draining", next(received, "STOPPING"));
                assertEquals("WATCHDOG=1", next(received, "WATCHDOG"));

                // block every loop but the one running the schedule cannot ping: block both, pings stop
                CountDownLatch release = new CountDownLatch(1);
                for (io.netty.util.concurrent.EventExecutor loop : group) {
                    loop.execute(() -> {
                        try {
                            release.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                Thread.sleep(100);
                long before = n.watchdogPings();
                Thread.sleep(400);
                assertEquals(before, n.watchdogPings(), "no ping while the loops are blocked");
                release.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (n.watchdogPings() <= before && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(n.watchdogPings() > before, "pings resume with the loops");
            }
            systemd.close().sync();
            SdNotify absent = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", dir.resolve("absent").toString()),
                    group, true);
            assertTrue(absent.describe().contains("cannot reach"), absent.describe());
            absent.ready("nothing happens");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void withoutNotifySocketOrWithAnAbstractOneNothingIsSentAndItSaysWhy() {
        assertTrue(SdNotify.fromEnvironment(Map.of(), null, true).describe().contains("no NOTIFY_SOCKET"));
        assertTrue(SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "@abstract"), null, true).describe()
                .contains("abstract socket"));
        assertTrue(SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/x"), null, false).describe()
                .contains("epoll"));
        SdNotify.disabled("test").ready("nothing happens");
    }

    private static String next(BlockingQueue<String> q, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (String s; (s = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null; ) {
            if (s.startsWith(prefix)) {
                return s;
            }
        }
        assertNull(prefix, "no " + prefix + " message within 3 s");
        return null;
    }
}
