package io.shakengate.proxy.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.shakengate.codec.netty.SipStreamDecoder;
import io.shakengate.proxy.config.StreamLimits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The gate of one TCP/TLS listening point's accepted connections ({@link StreamLimits}): a connection beyond
 * {@code maxConnections}, or beyond {@code maxPerAddress} from its IP address, is closed as it is accepted; an
 * admitted one is closed when no byte came for {@code idleSeconds}, or when a message it began stays incomplete
 * for {@code messageSeconds} while no other message completes on it (a slow-loris sender; a busy connection
 * always has a message under way, but messages complete). Each closing counted by reason, and so is a connection its peer closed with a message incomplete. Checks run once a second
 * on the connection's event loop; admission is one atomic count and one map update per accepted connection.
 */
public final class StreamGate {
    /** Why a connection was closed by the gate. */
    public enum Reason {
        MAX_CONNECTIONS("max_connections"),
        MAX_PER_ADDRESS("max_per_address"),
        IDLE("idle"),
        SLOW_MESSAGE("slow_message"),
        /** Not closed by the gate: the peer closed the connection with a message incomplete (it is lost). */
        MID_MESSAGE("mid_message");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        /** The metrics label. */
        public String label() {
            return label;
        }
    }

    private final String point;
    private final Supplier<StreamLimits.Limits> limits;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final LongAdder[] closed = new LongAdder[Reason.values().length];

    /** The gate of the point named {@code point}, reading {@code limits} at each admission and check. */
    public StreamGate(String point, Supplier<StreamLimits.Limits> limits) {
        this.point = point;
        this.limits = limits;
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    /** The listening point's name. */
    public String point() {
        return point;
    }

    /** The connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed for {@code r} so far. */
    public long closed(Reason r) {
        return closed[r.ordinal()].sum();
    }

    /**
     * Admits {@code c}, just accepted (its pipeline empty; adds the guard first), or closes it and counts why.
     * Returns whether it was admitted.
     */
    public boolean admit(SocketChannel c) {
        StreamLimits.Limits l = limits.get();
        InetSocketAddress remote = c.remoteAddress();
        InetAddress a = remote == null ? null : remote.getAddress();
        if (open.incrementAndGet() > l.maxConnections()) {
            open.decrementAndGet();
            return refuse(c, Reason.MAX_CONNECTIONS);
        }
        if (a != null) {
            boolean[] over = new boolean[1];
            perAddress.compute(a, (k, n) -> {
                int next = n == null ? 1 : n + 1;
                over[0] = next > l.maxPerAddress();
                return over[0] ? n : Integer.valueOf(next);
            });
            if (over[0]) {
                open.decrementAndGet();
                return refuse(c, Reason.MAX_PER_ADDRESS);
            }
        }
        c.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (a != null) {
                perAddress.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1);
            }
        });
        c.pipeline().addLast(new Guard());
        return true;
    }

    private boolean refuse(SocketChannel c, Reason r) {
        closed[r.ordinal()].increment();
        c.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0); // RST: nothing kept in TIME_WAIT
        c.close();
        return false;
    }

    /** The gate's families for /metrics (one sample per point and reason). */
    public static void render(StringBuilder b, Iterable<StreamGate> gates) {
        b.append("# HELP shakengate_sip_stream_connections Accepted SIP connections open now, per listening point.\n")
                .append("# TYPE shakengate_sip_stream_connections gauge\n");
        for (StreamGate g : gates) {
            b.append("shakengate_sip_stream_connections{point=\"").append(g.point).append("\"} ").append(g.open()).append('\n');
        }
        b.append("# HELP shakengate_sip_stream_closed_total Accepted SIP connections closed by the limits (sipStreams:"
                        + " max_connections, max_per_address, idle, slow_message) or by the peer with a message"
                        + " incomplete (mid_message), per listening point.\n")
                .append("# TYPE shakengate_sip_stream_closed_total counter\n");
        for (StreamGate g : gates) {
            for (Reason r : Reason.values()) {
                b.append("shakengate_sip_stream_closed_total{point=\"").append(g.point).append("\",reason=\"").append(r.label())
                        .append("\"} ").append(g.closed(r)).append('\n');
            }
        }
    }

    /** Watches one admitted connection: idle time, and how long a message stays incomplete. */
    private final class Guard extends ChannelInboundHandlerAdapter {
        private long lastRead = System.nanoTime();
        private long midSince;
        private long framedAtMid = -1;
        private ScheduledFuture<?> check;
        private boolean closing;
        /** The connection's decoder, found once (it is added after this guard, in the same initializer). */
        private SipStreamDecoder decoder;

        private SipStreamDecoder decoder(ChannelHandlerContext ctx) {
            if (decoder == null) {
                decoder = ctx.pipeline().get(SipStreamDecoder.class);
            }
            return decoder;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), 1, 1, TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastRead = System.nanoTime();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            check.cancel(false);
            SipStreamDecoder d = decoder(ctx);
            if (!closing && d != null && d.midMessage()) {
                closed[Reason.MID_MESSAGE.ordinal()].increment();
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            check.cancel(false);
        }

        private void check(ChannelHandlerContext ctx) {
            if (!ctx.channel().isActive()) {
                check.cancel(false);
                return;
            }
            StreamLimits.Limits l = limits.get();
            long now = System.nanoTime();
            if (now - lastRead > TimeUnit.SECONDS.toNanos(l.idleSeconds())) {
                close(ctx, Reason.IDLE);
                return;
            }
            SipStreamDecoder d = decoder(ctx);
            if (d == null || !d.midMessage()) {
                midSince = 0;
                return;
            }
            long framed = d.framed();
            if (midSince == 0 || framed != framedAtMid) {
                midSince = now; // a message under way, or another one since the last check: progress
                framedAtMid = framed;
            } else if (now - midSince > TimeUnit.SECONDS.toNanos(l.messageSeconds())) {
                close(ctx, Reason.SLOW_MESSAGE);
            }
        }

        private void close(ChannelHandlerContext ctx, Reason r) {
            check.cancel(false);
            closing = true;
            closed[r.ordinal()].increment();
            ctx.close();
        }
    }
}
