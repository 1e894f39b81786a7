package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.netty.SipBadRequestResponder;
import io.shakengate.codec.netty.SipDatagramDecoder;
import io.shakengate.codec.netty.SipParseErrorCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.transport.Transports;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Owns the event loops and the UDP listening points. With epoll, each point binds one channel per event
 * loop on the same port (SO_REUSEPORT), so every loop reads; with NIO, one channel per point.
 */
public final class ProxyServer implements AutoCloseable {
    private final Transports transports;
    private final EventLoopGroup group;
    private final Drain drain = new Drain();
    private final int loops;
    private final List<Channel> channels = new ArrayList<>();
    private final ProxyCounters counters = new ProxyCounters();
    private final StageLatency latency = new StageLatency();
    private final SipParseErrorCounters parseErrors = new SipParseErrorCounters();
    private final SipDecoderConfig decoderConfig;
    /** INVITEs being verified, across the event loops: their retransmissions are absorbed. */
    private final PendingInvites pending;
    /** Accepted TCP/TLS connections of every stream point, by the peer's address. */
    private final java.util.Map<InetSocketAddress, Channel> streams = new java.util.concurrent.ConcurrentHashMap<>();
    /** Answers on those connections: for responses that arrive over UDP but whose request came over a stream. */
    private final io.shakengate.proxy.transport.TcpSender streamResponses;
    /** Each UDP point's socket (the first channel) and advertised address, by name. */
    private final java.util.Map<String, Channel> udpSockets = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, String> udpAdvertised = new java.util.concurrent.ConcurrentHashMap<>();
    /** DNS names in Routes and Request-URIs of record-routed requests, looked up off the event loops. */
    private final RouteNames routeNames = new RouteNames();

    /** A server with {@code loops} event loops on {@code transports}. */
    public ProxyServer(Transports transports, int loops, SipDecoderConfig decoderConfig) {
        this.transports = transports;
        this.loops = loops;
        this.decoderConfig = decoderConfig;
        this.pending = new PendingInvites(100_000);
        this.streamResponses = new io.shakengate.proxy.transport.TcpSender(transports, hop -> {
            throw new IllegalStateException("responses only");
        }, "TCP", streams);
        // "sip-loop-P-N" in top -H, jstack and /proc/PID/task/*/comm (which keeps 15 characters)
        this.group = new MultiThreadIoEventLoopGroup(loops, new io.netty.util.concurrent.DefaultThreadFactory(
                "sip-loop"), transports.ioHandlerFactory());
    }

    /**
     * Binds {@code point}; returns the address bound. Port 0 picks a free port first (the advertised address
     * must be known before the first channel reads); a null advertised address means the bound ip:port.
     */
    public InetSocketAddress bind(ListeningPoint requested, ServiceConfig services) throws InterruptedException {
        return bind(requested, () -> services);
    }

    /** As {@link #bind(ListeningPoint, ServiceConfig)}, reading the services anew for each message (reloads). */
    public InetSocketAddress bind(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services)
            throws InterruptedException {
        return bind(requested, services, null);
    }

    /**
     * Binds a UDP point whose requests may leave over a stream ({@link ListeningPoint#nextHopTransport()} tcp or
     * tls, or {@link ListeningPoint#largeOverTcp()}): {@code clientTls} checks a TLS next hop's certificate.
     * Responses come back on the stream connection and continue over this point's UDP socket.
     */
    public InetSocketAddress bind(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services,
                                  io.netty.handler.ssl.SslContext clientTls) throws InterruptedException {
        boolean tls = "tls".equals(requested.nextHopTransport());
        if (tls && clientTls == null) {
            throw new IllegalArgumentException("listening point " + requested.name() + " sends over TLS: a client TLS "
                    + "context is needed");
        }
        InetSocketAddress bound = requested.bind();
        if (bound.getPort() == 0) {
            try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, bound.getAddress())) {
                bound = new InetSocketAddress(bound.getAddress(), probe.getLocalPort());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("no free UDP port on " + bound.getAddress(), e);
            }
        }
        String advertised = requested.advertised() != null ? requested.advertised() : hostPort(bound);
        ListeningPoint point = requested.at(bound, advertised);
        SipDatagramDecoder decoder = new SipDatagramDecoder(decoderConfig, parseErrors);
        int copies = transports.epoll() ? loops : 1;
        Channel[] udp = new Channel[1];
        io.shakengate.proxy.transport.TcpSender stream = null;
        if (point.nextHopTransport() != null || point.largeOverTcp()) {
            // responses arriving on the stream connection go on over this point's UDP socket
            io.shakengate.proxy.transport.SipSender back = io.shakengate.proxy.transport.UdpSender.on(() -> udp[0]);
            io.shakengate.proxy.transport.TcpSender[] holder = new io.shakengate.proxy.transport.TcpSender[1];
            holder[0] = new io.shakengate.proxy.transport.TcpSender(transports, hop ->
                    new ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                            if (tls) {
                                ch.pipeline().addLast(clientTls(clientTls, ch, hop));
                            }
                            ch.pipeline().addLast(new io.shakengate.codec.netty.SipStreamDecoder(decoderConfig,
                                    parseErrors), SipBadRequestResponder.INSTANCE,
                                    new SipProxyHandler(point, services, counters, latency, back, drain, null, pending)
                                            .resolvingNames(routeNames));
                        }
                    }, tls ? "TLS" : "TCP");
            stream = holder[0];
        }
        io.shakengate.proxy.transport.TcpSender out = stream;
        // a UDP next hop's ICMP port-unreachable is seen on a watch socket per next hop (epoll: SO_REUSEPORT)
        io.shakengate.proxy.transport.SipSender udpOut = io.shakengate.proxy.transport.UdpSender.INSTANCE;
        if (transports.epoll() && !point.redirect() && point.nextHopTransport() == null) {
            io.shakengate.proxy.transport.UdpHopWatch watch = new io.shakengate.proxy.transport.UdpHopWatch(
                    () -> udp[0], transports.datagramChannel(), c -> SipDatagramDecoder.configure(c, decoderConfig),
                    () -> udpWatch.unreachableWaitMillis(), () -> udpWatch.watchedHops());
            watches.add(watch);
            udpOut = io.shakengate.proxy.transport.UdpSender.watching(watch);
        }
        io.shakengate.proxy.transport.SipSender udpSender = udpOut;
        for (int i = 0; i < copies; i++) {
            Bootstrap b = new Bootstrap().group(group).channel(transports.datagramChannel())
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            SipDatagramDecoder.configure(ch.config(), decoderConfig);
                            ch.pipeline().addLast(decoder, SipBadRequestResponder.INSTANCE,
                                    point.redirect() ? new SipRedirectHandler(point, services, counters, latency,
                                            io.shakengate.proxy.transport.UdpSender.INSTANCE, drain, pending)
                                            : new SipProxyHandler(point, services, counters, latency,
                                            udpSender, drain, out, pending)
                                            .respondingOverStreams(streamResponses).resolvingNames(routeNames));
                        }
                    });
            if (transports.epoll()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            Channel ch = b.bind(bound).sync().channel();
            channels.add(ch);
            if (udp[0] == null) {
                udp[0] = ch;
                udpSockets.put(point.name(), ch);
                udpAdvertised.put(point.name(), point.advertised());
            }
            bound = (InetSocketAddress) ch.localAddress();
        }
        return bound;
    }

    /** The limits on accepted connections of every TCP/TLS point (sipStreams); a reload sets new ones. */
    private volatile io.shakengate.proxy.config.StreamLimits.Limits streamLimits =
            io.shakengate.proxy.config.StreamLimits.Limits.DEFAULT;
    private final java.util.List<io.shakengate.proxy.transport.StreamGate> gates =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Sets the limits on accepted connections (start and reload). */
    public void streamLimits(io.shakengate.proxy.config.StreamLimits.Limits limits) {
        this.streamLimits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /** How UDP points watch their next hops (start and reload). */
    private volatile io.shakengate.proxy.config.UdpWatchSection.Settings udpWatch =
            io.shakengate.proxy.config.UdpWatchSection.Settings.DEFAULT;
    private final java.util.List<io.shakengate.proxy.transport.UdpHopWatch> watches =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Sets how UDP points watch their next hops for ICMP port-unreachable (start and reload). */
    public void udpWatch(io.shakengate.proxy.config.UdpWatchSection.Settings settings) {
        this.udpWatch = java.util.Objects.requireNonNull(settings, "settings");
    }

    /** The gates of the stream points bound so far. */
    public java.util.List<io.shakengate.proxy.transport.StreamGate> gates() {
        return gates;
    }

    /**
     * Binds {@code requested} over TCP; requests leave over TCP connections to the next hop, responses go
     * back on the connection their request came in on. Returns the address bound.
     */
    public InetSocketAddress bindTcp(ListeningPoint requested, ServiceConfig services) throws InterruptedException {
        return bindTcp(requested, () -> services);
    }

    /** As {@link #bindTcp(ListeningPoint, ServiceConfig)}, reading the services anew for each message. */
    public InetSocketAddress bindTcp(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services)
            throws InterruptedException {
        return bindStream(requested, services, null, null, null);
    }

    /**
     * Binds {@code requested} over TLS (RFC 3261 section 26.2): accepted connections get {@code server}'s TLS
     * handler, connections to the next hop {@code client}'s, which checks the next hop's certificate (its
     * chain and that it names the next hop's address). Otherwise as TCP.
     */
    public InetSocketAddress bindTls(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services,
                                     io.netty.handler.ssl.SslContext server, io.netty.handler.ssl.SslContext client)
            throws InterruptedException {
        return bindStream(requested, services, java.util.Objects.requireNonNull(server, "server"),
                java.util.Objects.requireNonNull(client, "client"), null);
    }

    /**
     * Binds a TCP ({@code server} null) or TLS point whose requests leave over UDP from the socket of the UDP
     * point {@code udpPoint} (bound before), whose address goes into the Via: responses arrive there and go back
     * on the connection their request came in on.
     */
    public InetSocketAddress bindStreamToUdp(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services,
                                             io.netty.handler.ssl.SslContext server, String udpPoint)
            throws InterruptedException {
        if (!udpSockets.containsKey(udpPoint)) {
            throw new IllegalArgumentException("listening point " + requested.name() + " sends from UDP point '"
                    + udpPoint + "', which is not bound (bind UDP points first)");
        }
        return bindStream(requested, services, server, null, udpPoint);
    }

    /** A TLS handler for a connection to {@code peer}, verifying that its certificate names the peer's address. */
    private static io.netty.handler.ssl.SslHandler clientTls(io.netty.handler.ssl.SslContext client,
                                                             io.netty.channel.socket.SocketChannel ch,
                                                             InetSocketAddress peer) {
        io.netty.handler.ssl.SslHandler h = client.newHandler(ch.alloc(), peer.getAddress().getHostAddress(),
                peer.getPort());
        javax.net.ssl.SSLParameters p = h.engine().getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        h.engine().setSSLParameters(p);
        return h;
    }

    private InetSocketAddress bindStream(ListeningPoint requested, java.util.function.Supplier<ServiceConfig> services,
                                         io.netty.handler.ssl.SslContext serverTls,
                                         io.netty.handler.ssl.SslContext clientTls, String udpPoint)
            throws InterruptedException {
        InetSocketAddress bound = requested.bind();
        if (bound.getPort() == 0) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, bound.getAddress())) {
                bound = new InetSocketAddress(bound.getAddress(), probe.getLocalPort());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("no free TCP port on " + bound.getAddress(), e);
            }
        }
        String advertised = requested.advertised() != null ? requested.advertised() : hostPort(bound);
        ListeningPoint point = requested.at(bound, advertised);
        io.shakengate.proxy.transport.TcpSender[] sender = new io.shakengate.proxy.transport.TcpSender[1];
        io.shakengate.proxy.transport.StreamGate gate = new io.shakengate.proxy.transport.StreamGate(point.name(),
                () -> streamLimits);
        gates.add(gate);
        java.util.function.Function<InetSocketAddress, io.netty.channel.ChannelHandler> pipeline = hop ->
                new ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                        if (clientTls != null) {
                            ch.pipeline().addLast(clientTls(clientTls, ch, hop));
                        }
                        ch.pipeline().addLast(new io.shakengate.codec.netty.SipStreamDecoder(decoderConfig,
                                parseErrors), SipBadRequestResponder.INSTANCE,
                                new SipProxyHandler(point, services, counters, latency, sender[0], drain, null, pending)
                                        .resolvingNames(routeNames));
                    }
                };
        sender[0] = new io.shakengate.proxy.transport.TcpSender(transports, pipeline,
                serverTls == null ? "TCP" : "TLS", streams);
        io.shakengate.proxy.transport.SipSender udpOut = udpPoint == null ? null
                : io.shakengate.proxy.transport.UdpSender.on(() -> udpSockets.get(udpPoint));
        String outAdvertised = udpPoint == null ? null : udpAdvertised.get(udpPoint);
        Channel ch = new io.netty.bootstrap.ServerBootstrap().group(group).channel(transports.serverChannel())
                .childOption(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.SocketChannel c) {
                        if (!gate.admit(c)) {
                            return;
                        }
                        sender[0].accepted(c);
                        if (serverTls != null) {
                            c.pipeline().addLast(serverTls.newHandler(c.alloc()));
                        }
                        c.pipeline().addLast(new io.shakengate.codec.netty.SipStreamDecoder(decoderConfig,
                                parseErrors), SipBadRequestResponder.INSTANCE,
                                point.redirect() ? new SipRedirectHandler(point, services, counters, latency,
                                        sender[0], drain, pending)
                                        : new SipProxyHandler(point, services, counters, latency, sender[0], drain,
                                        udpOut, pending).resolvingNames(routeNames).sendingFrom(outAdvertised));
                    }
                }).bind(bound).sync().channel();
        channels.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    /** {@code ip:port}, with an IPv6 address in brackets as Via's sent-by requires. */
    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The lookups of DNS names in record-routed requests (their bounds are set from the configuration). */
    RouteNames routeNames() {
        return routeNames;
    }

    /** What the proxy counted. */
    public ProxyCounters counters() {
        return counters;
    }

    /** Time inside the appliance, per stage. */
    public StageLatency latency() {
        return latency;
    }

    /** What the decoders counted. */
    public SipParseErrorCounters parseErrors() {
        return parseErrors;
    }

    /** The graceful stop shared by every listening point. */
    public Drain drain() {
        return drain;
    }

    /** The event loops (for helpers that run beside the listening points, such as the sd_notify channel). */
    public EventLoopGroup group() {
        return group;
    }

    /** Which transport runs. */
    public Transports transports() {
        return transports;
    }

    /** Closes the listening points and stops the event loops (bounded: a few seconds at most). */
    @Override
    public void close() {
        for (io.shakengate.proxy.transport.UdpHopWatch w : watches) {
            w.close();
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        routeNames.close();
    }
}
