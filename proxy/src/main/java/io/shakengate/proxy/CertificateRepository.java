package io.shakengate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.shakengate.proxy.transport.Transports;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The certificate repository: serves the appliance's own certificate chains over HTTPS at the paths of the
 * x5u URLs it signs with, so that a small carrier needs nothing else (RFC 8224 section 7.4 / SHAKEN STI-CR).
 * Each chain is served with {@code Content-Type: application/pem-certificate-chain} and
 * {@code Cache-Control: max-age=86400}; anything else is 404. Read-only, GET only. What it serves is swapped
 * whole ({@link #serve}) at a reload or a renewal; a request sees the old chains or the new, never a mix.
 */
public final class CertificateRepository implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private volatile Map<String, byte[]> served;
    /** A path answered by a supplier (the RFC 8688 jCard JWS, signed fresh), or null. */
    private volatile Map.Entry<String, java.util.function.Supplier<byte[]>> fresh;

    /** Serves {@code chains} (path to PEM body) over TLS with {@code tls} on {@code bind}. */
    public CertificateRepository(Transports transports, InetSocketAddress bind, SslContext tls,
                                 Map<String, byte[]> chains) throws InterruptedException {
        served = Map.copyOf(chains);
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        channel = new ServerBootstrap().group(group).channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(4096), new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        Map.Entry<String, java.util.function.Supplier<byte[]>> f = fresh;
                                        boolean card = f != null && f.getKey().equals(path(req.uri()));
                                        byte[] body = req.method() != HttpMethod.GET ? null
                                                : card ? f.getValue().get() : served.get(path(req.uri()));
                                        FullHttpResponse resp = body == null
                                                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                        HttpResponseStatus.NOT_FOUND)
                                                : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                        HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                        if (body != null) {
                                            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, card
                                                    ? "application/jose" : "application/pem-certificate-chain");
                                            resp.headers().set(HttpHeaderNames.CACHE_CONTROL, card ? "no-cache"
                                                    : "max-age=86400");
                                        }
                                        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH,
                                                resp.content().readableBytes());
                                        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                }).bind(bind).sync().channel();
    }

    /** Serves {@code chains} (path to PEM body) from now on. */
    public void serve(Map<String, byte[]> chains) {
        served = Map.copyOf(chains);
    }

    /** Answers {@code path} with what {@code body} gives at each request (null: no such path any more). */
    public void fresh(String path, java.util.function.Supplier<byte[]> body) {
        fresh = path == null ? null : Map.entry(path, body);
    }

    /** The paths served now. */
    public java.util.Set<String> paths() {
        return served.keySet();
    }

    private static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
