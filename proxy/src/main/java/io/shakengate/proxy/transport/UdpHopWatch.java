package io.shakengate.proxy.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Sees a UDP next hop's ICMP port-unreachable. A point's UDP socket is unconnected, and Linux reports an ICMP
 * error only to a connected UDP socket (or through IP_RECVERR's error queue, which Netty does not read). So for
 * each next-hop address the point sends to, a <em>watch</em> socket is bound to the point's own address and port
 * (SO_REUSEPORT, beside the point's sockets) and connected to the next hop. The kernel delivers the ICMP error for
 * a datagram the point sent to that hop to the connected socket (it matches the four-tuple best), where it
 * surfaces as a {@link PortUnreachableException}; the requests sent to the hop within the last
 * {@code waitMillis} are then told they did not arrive. Whatever the next hop sends to the point (its responses)
 * also arrives on the watch socket: it is handed on to the point's own pipeline, on the point's event loop, as if
 * the point's socket had read it. The point keeps sending from its own socket, so the Via port is unchanged.
 *
 * <p>Native epoll only (SO_REUSEPORT on the point's sockets). At most {@code maxHops} addresses per point are
 * watched; a send to another is unwatched, as before. A watch whose bind fails is left out, logged once.
 */
public final class UdpHopWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UdpHopWatch.class.getName());

    /** One request sent to a watched hop, waiting to learn whether it arrived. */
    private static final class Expected extends AtomicBoolean {
        private final EventExecutor executor;
        private final Consumer<Boolean> outcome;
        /** When it was queued, before its datagram was written. */
        private final long queuedNanos = System.nanoTime();

        Expected(EventExecutor executor, Consumer<Boolean> outcome) {
            this.executor = executor;
            this.outcome = outcome;
        }

        /** Settles once: {@code arrived} on the sender's event loop. */
        void settle(boolean arrived) {
            if (compareAndSet(false, true)) {
                if (executor.inEventLoop()) {
                    outcome.accept(arrived);
                } else {
                    executor.execute(() -> outcome.accept(arrived));
                }
            }
        }
    }

    /** The watch of one next-hop address. */
    private final class Watch {
        final InetSocketAddress hop;
        final Queue<Expected> expected = new ConcurrentLinkedQueue<>();
        volatile ChannelFuture connected;

        Watch(InetSocketAddress hop) {
            this.hop = hop;
        }

        /**
         * Settles the requests queued before {@code seenNanos}, when the error or datagram was seen: {@code arrived}
         * false on a port-unreachable. One queued later (its datagram written after what was seen, while this
         * runs on the watch's event loop and the sender on its own) waits for what comes next.
         */
        void settleUpTo(boolean arrived, long seenNanos) {
            for (java.util.Iterator<Expected> it = expected.iterator(); it.hasNext(); ) {
                Expected e = it.next();
                if (e.queuedNanos - seenNanos <= 0) {
                    it.remove();
                    e.settle(arrived);
                }
            }
        }
    }

    private final java.util.function.Supplier<Channel> point;
    private final Class<? extends io.netty.channel.socket.DatagramChannel> channelClass;
    private final Consumer<io.netty.channel.socket.DatagramChannelConfig> configure;
    private final IntSupplier waitMillis;
    private final IntSupplier maxHops;
    private final Map<InetSocketAddress, Watch> watches = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Watches for the point whose first UDP channel {@code point} gives once bound (its event loop reads the
     * watch sockets);
     * {@code configure} sets a watch channel up as the point's (receive buffer sizes); {@code waitMillis} and
     * {@code maxHops} are read at each use (a reload may change them).
     */
    public UdpHopWatch(java.util.function.Supplier<Channel> point, Class<? extends io.netty.channel.socket.DatagramChannel> channelClass,
                       Consumer<io.netty.channel.socket.DatagramChannelConfig> configure, IntSupplier waitMillis, IntSupplier maxHops) {
        this.point = point;
        this.channelClass = channelClass;
        this.configure = configure;
        this.waitMillis = waitMillis;
        this.maxHops = maxHops;
    }

    /**
     * Writes {@code packet} (a request to a next hop) on {@code ctx}, left for the read batch's flush, and tells
     * {@code outcome} on {@code ctx}'s event loop whether it arrived: false when an ICMP port-unreachable from
     * the hop comes within the wait, true after it. An unwatched hop (over the limit, or its watch failed) is
     * told true at once. The first send to a hop waits for its watch socket to be connected (microseconds, on
     * the point's event loop) and is then flushed by itself.
     */
    public void send(ChannelHandlerContext ctx, io.netty.channel.socket.DatagramPacket packet, Consumer<Boolean> outcome) {
        Watch w = watch(packet.recipient());
        ChannelFuture ready = w == null ? null : w.connected;
        if (ready == null || (ready.isDone() && !ready.isSuccess())) {
            ctx.write(packet);
            outcome.accept(Boolean.TRUE);
            return;
        }
        EventExecutor executor = ctx.executor();
        Expected e = new Expected(executor, outcome);
        w.expected.add(e);
        while (w.expected.peek() != null && w.expected.peek().get()) {
            w.expected.poll(); // settled by its wait: the queue keeps only those still waiting
        }
        executor.schedule(() -> e.settle(true), waitMillis.getAsInt(), TimeUnit.MILLISECONDS);
        if (ready.isDone()) {
            ctx.write(packet);
        } else {
            ready.addListener(f -> ctx.writeAndFlush(packet));
        }
    }

    private Watch watch(InetSocketAddress hop) {
        Watch w = watches.get(hop);
        if (w != null || closed) {
            return w;
        }
        if (watches.size() >= maxHops.getAsInt()) {
            return null;
        }
        Watch fresh = new Watch(hop);
        w = watches.putIfAbsent(hop, fresh);
        if (w != null) {
            return w;
        }
        Channel at = point.get();
        fresh.connected = new Bootstrap().group(at.eventLoop()).channel(channelClass)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.DatagramChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.DatagramChannel ch) {
                        configure.accept(ch.config());
                        ch.pipeline().addLast(new Relay(fresh));
                    }
                })
                .connect(hop, at.localAddress());
        fresh.connected.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "no ICMP watch of UDP next hop " + hop + ": "
                        + f.cause().getMessage() + " (its port-unreachable goes unseen)");
            }
        });
        return fresh;
    }

    /** A watch socket's handler: errors to the watch, datagrams to the point's pipeline. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final Watch watch;

        Relay(Watch watch) {
            this.watch = watch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            watch.settleUpTo(true, System.nanoTime()); // the hop sends: its port is reachable, whatever error came before
            point.get().pipeline().fireChannelRead(msg); // the same event loop: the point's handlers read it as theirs
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            point.get().pipeline().fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                watch.settleUpTo(false, System.nanoTime());
            } else {
                LOG.log(System.Logger.Level.DEBUG, "UDP watch of " + watch.hop + ": " + cause);
            }
        }
    }

    /** Closes the watch sockets; requests still waiting are told they arrived (nothing more will be seen). */
    @Override
    public void close() {
        closed = true;
        for (Watch w : watches.values()) {
            ChannelFuture f = w.connected;
            if (f != null) {
                f.channel().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            for (Expected e; (e = w.expected.poll()) != null; ) {
                e.settle(true); // closing: nothing more will be seen
            }
        }
    }
}
