package io.shakengate.proxy.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.util.CharsetUtil;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.netty.SipParseErrorCounters;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.transport.Transports;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@code GET /metrics} in the Prometheus text format (0.0.4) on its own small event loop, bound to
 * loopback unless configured otherwise: every proxy counter, every SIP parse error by reason, and the
 * per-stage latency as a summary (quantiles 0.5, 0.9, 0.99, 0.999, max, in seconds).
 */
public final class MetricsServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    /** Starts serving on {@code bind}. */
    public MetricsServer(Transports transports, InetSocketAddress bind, ProxyCounters counters,
                         SipParseErrorCounters parseErrors, StageLatency latency) throws InterruptedException {
        this(transports, bind, counters, parseErrors, latency, () -> "");
    }

    /** Starts serving on {@code bind}; {@code more} adds families of other components (the CPS's). */
    public MetricsServer(Transports transports, InetSocketAddress bind, ProxyCounters counters,
                         SipParseErrorCounters parseErrors, StageLatency latency,
                         java.util.function.Supplier<String> more) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        channel = new ServerBootstrap().group(group).channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(4096),
                                new Handler(counters, parseErrors, latency, more));
                    }
                }).bind(bind).sync().channel();
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The upper bounds of the latency histograms' buckets, in seconds. */
    static final double[] BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5};

    /** The exposition text (also for logs and tests). */
    public static String render(ProxyCounters counters, SipParseErrorCounters parseErrors, StageLatency latency) {
        StringBuilder b = new StringBuilder(8192);
        for (ProxyCounters.Event e : ProxyCounters.Event.values()) {
            family(b, e.metricName(), "counter", e.help());
            b.append(e.metricName()).append(' ').append(counters.get(e)).append('\n');
        }
        family(b, "shakengate_passports_total", "counter",
                "PASSporTs verified, by type and result (passed, or the failure reason).");
        for (String ppt : ProxyCounters.PPTS) {
            // passed always (0 included, so that a rate starts from the first scrape); failures once they occur
            b.append("shakengate_passports_total{ppt=\"").append(ppt).append("\",result=\"passed\"} ")
                    .append(counters.passports(ppt, null)).append('\n');
            for (io.shakengate.crypto.VerificationFailure f : io.shakengate.crypto.VerificationFailure.values()) {
                long n = counters.passports(ppt, f);
                if (n > 0) {
                    b.append("shakengate_passports_total{ppt=\"").append(ppt).append("\",result=\"")
                            .append(f.name().toLowerCase(Locale.ROOT)).append("\"} ").append(n).append('\n');
                }
            }
        }
        family(b, "shakengate_next_hop_refused_total", "counter",
                "Connections refused by each next hop over TCP/TLS (each one answered 503, or sent on to the next"
                        + " address of a nextHop list).");
        counters.refusals().forEach((key, n) -> {
            int sp = key.indexOf(' ');
            b.append("shakengate_next_hop_refused_total{point=\"").append(key, 0, sp).append("\",hop=\"")
                    .append(key.substring(sp + 1)).append("\"} ").append(n).append('\n');
        });
        family(b, "shakengate_verification_failures_total", "counter",
                "Calls whose verification failed, by the reason that decided the call.");
        for (io.shakengate.crypto.VerificationFailure f : io.shakengate.crypto.VerificationFailure.values()) {
            b.append("shakengate_verification_failures_total{reason=\"").append(f.name().toLowerCase(Locale.ROOT))
                    .append("\"} ").append(counters.failedCalls(f)).append('\n');
        }
        family(b, "shakengate_sip_parse_errors_total", "counter", "SIP messages refused by the codec, by reason.");
        for (SipParseError e : SipParseError.values()) {
            b.append("shakengate_sip_parse_errors_total{reason=\"").append(e.name().toLowerCase(Locale.ROOT))
                    .append("\"} ").append(parseErrors.count(e)).append('\n');
        }
        family(b, "shakengate_stage_latency_seconds", "histogram",
                "Time an INVITE spends inside the appliance, per stage (sum approximated from the recorded values).");
        Histogram[] snapshots = new Histogram[StageLatency.Stage.values().length];
        for (StageLatency.Stage s : StageLatency.Stage.values()) {
            Histogram h = latency.snapshot(s);
            snapshots[s.ordinal()] = h;
            String stage = s.name().toLowerCase(Locale.ROOT);
            for (double le : BUCKETS) {
                long n = h.getTotalCount() == 0 ? 0 : h.getCountBetweenValues(0, (long) (le * 1e9));
                b.append("shakengate_stage_latency_seconds_bucket{stage=\"").append(stage).append("\",le=\"")
                        .append(le).append("\"} ").append(n).append('\n');
            }
            b.append("shakengate_stage_latency_seconds_bucket{stage=\"").append(stage).append("\",le=\"+Inf\"} ")
                    .append(h.getTotalCount()).append('\n');
            b.append("shakengate_stage_latency_seconds_sum{stage=\"").append(stage).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.9f", h.getMean() * h.getTotalCount() / 1e9)).append('\n');
            b.append("shakengate_stage_latency_seconds_count{stage=\"").append(stage).append("\"} ")
                    .append(h.getTotalCount()).append('\n');
        }
        family(b, "shakengate_stage_latency_max_seconds", "gauge", "The longest time recorded per stage.");
        for (StageLatency.Stage s : StageLatency.Stage.values()) {
            b.append("shakengate_stage_latency_max_seconds{stage=\"").append(s.name().toLowerCase(Locale.ROOT))
                    .append("\"} ").append(seconds(snapshots[s.ordinal()].getMaxValue())).append('\n');
        }
        ProcessMetrics.render(b);
        return b.toString();
    }

    /** The HELP and TYPE lines of a metric family. */
    static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.9f", nanos / 1e9);
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ProxyCounters counters;
        private final SipParseErrorCounters parseErrors;
        private final StageLatency latency;
        private final java.util.function.Supplier<String> more;

        Handler(ProxyCounters counters, SipParseErrorCounters parseErrors, StageLatency latency,
                java.util.function.Supplier<String> more) {
            this.counters = counters;
            this.parseErrors = parseErrors;
            this.latency = latency;
            this.more = more;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse resp;
            if (req.method() == HttpMethod.GET && req.uri().equals("/metrics")) {
                ByteBuf body = Unpooled.copiedBuffer(render(counters, parseErrors, latency) + more.get(),
                        CharsetUtil.UTF_8);
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            } else {
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            }
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
