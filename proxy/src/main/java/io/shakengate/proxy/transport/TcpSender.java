package io.shakengate.proxy.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.shakengate.codec.SipMessage;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * TCP: requests go over one connection per next hop (opened on first use, on the writer's event loop,
 * replaced when it closes); responses go back on the inbound connection the request came in on, found by
 * the previous hop's address (the received/rport the proxy recorded in its Via, RFC 3581), as RFC 3261
 * section 18.2.2 requires for reliable transports. Local answers go on the request's own connection. TLS is
 * the same over a TLS handler (RFC 3261 section 26.2: SIP over TLS is a stream transport).
 */
public final class TcpSender implements SipSender {
    private final Map<InetSocketAddress, Channel> inbound;
    private final Map<InetSocketAddress, ChannelFuture> outbound = new ConcurrentHashMap<>();
    private final Transports transports;
    private final Function<InetSocketAddress, ChannelHandler> outboundPipeline;
    private final String viaTransport;

    /** A TCP sender whose outbound connections get the handler {@code outboundPipeline} makes for the hop. */
    public TcpSender(Transports transports, Function<InetSocketAddress, ChannelHandler> outboundPipeline) {
        this(transports, outboundPipeline, "TCP");
    }

    /**
     * A sender over TCP or, when {@code outboundPipeline} puts a TLS handler first, TLS ({@code viaTransport}
     * "TLS"): the same connection handling either way.
     */
    public TcpSender(Transports transports, Function<InetSocketAddress, ChannelHandler> outboundPipeline,
                     String viaTransport) {
        this(transports, outboundPipeline, viaTransport, new ConcurrentHashMap<>());
    }

    /**
     * As above, registering accepted connections in {@code inbound}, which a proxy shares between its stream
     * points, so that a response arriving elsewhere (over UDP) can go back on the connection its request came in on.
     */
    public TcpSender(Transports transports, Function<InetSocketAddress, ChannelHandler> outboundPipeline,
                     String viaTransport, Map<InetSocketAddress, Channel> inbound) {
        this.inbound = inbound;
        this.transports = transports;
        this.outboundPipeline = outboundPipeline;
        this.viaTransport = viaTransport;
    }

    /** Registers an accepted connection (removed when it closes). */
    public void accepted(Channel ch) {
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        inbound.put(remote, ch);
        ch.closeFuture().addListener(f -> inbound.remove(remote, ch));
    }

    @Override
    public String viaTransport() {
        return viaTransport;
    }

    @Override
    public boolean reliable() {
        return true;
    }

    @Override
    public void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop) {
        sendRequest(ctx, message, nextHop, ok -> { });
    }

    @Override
    public void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop,
                            java.util.function.Consumer<Boolean> outcome) {
        ChannelFuture f = outbound.compute(nextHop, (hop, existing) -> existing != null
                && (!existing.isDone() || existing.channel().isActive()) ? existing : connect(ctx, hop));
        if (f.isDone()) {
            outcome.accept(write(f, message));
        } else {
            f.addListener(done -> outcome.accept(write(f, message)));
        }
    }

    private ChannelFuture connect(ChannelHandlerContext ctx, InetSocketAddress hop) {
        return new Bootstrap().group(ctx.channel().eventLoop()).channel(transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(outboundPipeline.apply(hop)).connect(hop);
    }

    private static boolean write(ChannelFuture f, ByteBuf message) {
        if (f.isSuccess() && f.channel().isActive()) {
            f.channel().writeAndFlush(message);
            return true;
        }
        message.release();
        return false;
    }

    @Override
    public boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
        Channel ch = inbound.get(to);
        if (ch == null || !ch.isActive()) {
            message.release();
            return false;
        }
        ch.writeAndFlush(message);
        return true;
    }

    @Override
    public void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response) {
        ctx.writeAndFlush(response);
    }
}
