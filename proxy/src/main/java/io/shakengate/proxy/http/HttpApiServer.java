package io.shakengate.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.cps.CpsServer;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.transport.Transports;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The appliance's HTTP(S) listener: the softswitch API ({@link StirApi}, {@code /stir/v1/...}), the Call
 * Placement Service when one is configured ({@code /passports/{spc}/{dest}/{orig}}) and {@code GET /health}.
 * It runs on the proxy's event loops; verification and CPS work that waits for a certificate completes on
 * the fetcher's thread and hops back.
 *
 * <p>Transport rules (digest section 12.1), checked before the body is read: POST only (405 POL4050),
 * {@code Content-Length} required (411 SVC4007) and at most {@code maxBodyBytes} (413), JSON only
 * (415 SVC4004), {@code Accept} must allow JSON (406 SVC4002). Clients of {@code /stir/} are authenticated
 * by mutual TLS (the {@link SslContext} requires a client certificate) and/or a bearer token from the
 * configured list (401 POL4001 otherwise); the CPS authenticates its clients by their signed tokens.
 * {@code X-RequestID} is echoed (or generated) and {@code X-InstanceID} echoed. Keep-alive is honoured.
 */
public final class HttpApiServer implements AutoCloseable {
    /**
     * Settings.
     *
     * @param bearerTokens  accepted bearer tokens for /stir/, read per request (a reload may change them);
     *                      empty: none required (then mutual TLS must be on)
     * @param maxBodyBytes  the largest request body accepted
     * @param idleSeconds   a connection idle this long is closed
     */
    public record Limits(Supplier<List<String>> bearerTokens, int maxBodyBytes, int idleSeconds) {
    }

    /** A verification whose service never answered (a defect) gets 500 after this long. */
    static final long VERIFICATION_SAFETY_MILLIS = 30_000;

    /** The most body bytes of a refused request read and dropped before the connection closes. */
    static final long MAX_DISCARDED_BYTES = 1 << 20;

    /** How long a CPS request may wait for the requester's certificate before a 503. */
    public static final long CPS_BUDGET_MILLIS = 2000;

    private final Channel channel;
    private final ApiCounters answers = new ApiCounters();
    /** What GET /status answers (JSON), or null: 404. */
    private final java.util.concurrent.atomic.AtomicReference<Supplier<String>> status =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The operator's console under /console/, or null: 404. */
    private final java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.console.Console> console =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Listens on {@code bind} with the event loops of {@code group}; {@code tls} null for plain HTTP,
     * {@code cps} null without a CPS.
     */
    public HttpApiServer(EventLoopGroup group, Transports transports, InetSocketAddress bind, SslContext tls,
                         Limits limits, Supplier<ServiceConfig> services, CpsServer cps, ProxyCounters counters)
            throws InterruptedException {
        StirApi api = new StirApi(services);
        channel = new ServerBootstrap().group(group).channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        io.shakengate.proxy.console.Console c = console.get();
                        ch.pipeline().addLast(new ReadTimeoutHandler(limits.idleSeconds()),
                                new HttpServerCodec(4096, 8192, 8192), new Gate(limits.maxBodyBytes(), limits.bearerTokens(), answers, console),
                                new HttpObjectAggregator(Math.max(limits.maxBodyBytes(), c == null ? 0 : c.maxBodyBytes())),
                                new Handler(api, cps, counters, answers, status, console));
                    }
                }).bind(bind).sync().channel();
    }

    /** Serves {@code report} at GET /status (bearer token required, as for /stir/). */
    public void status(Supplier<String> report) {
        status.set(report);
    }

    /** Serves the operator's console under /console/. */
    public void console(io.shakengate.proxy.console.Console c) {
        console.set(c);
    }

    /** The listener's Prometheus families: its answers and the console's logins and sessions. */
    public String metrics() {
        io.shakengate.proxy.console.Console c = console.get();
        return answers.metrics() + (c == null ? "" : c.sessions().metrics());
    }

    /** The answers given, by route, status and id. */
    public ApiCounters answers() {
        return answers;
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        io.shakengate.proxy.console.Console c = console.getAndSet(null);
        if (c != null) {
            c.close();
        }
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** Refuses a request on its head, before any body is buffered; then drops its content. */
    private static final class Gate extends ChannelInboundHandlerAdapter {
        private final int maxBody;
        private final Supplier<List<String>> tokens;
        private boolean discarding;
        private final ApiCounters answers;
        private final java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.console.Console> console;

        Gate(int maxBody, Supplier<List<String>> tokens, ApiCounters answers,
             java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.console.Console> console) {
            this.maxBody = maxBody;
            this.tokens = tokens;
            this.answers = answers;
            this.console = console;
        }

        /** The console's refusal of a request on its head, or null. */
        private FullHttpResponse consoleCheck(HttpRequest req) {
            io.shakengate.proxy.console.Console c = console.get();
            if (c == null) {
                return null; // the handler's 404
            }
            if (req.method() != HttpMethod.GET && req.method() != HttpMethod.POST) {
                return ConsoleFront.refusal(405, "the console takes GET and POST only");
            }
            if (req.method() == HttpMethod.POST) {
                long length = HttpUtil.getContentLength(req, -1L);
                if (length < 0) {
                    return ConsoleFront.refusal(411, "a console form needs a Content-Length");
                }
                if (length > c.maxBodyBytes()) {
                    return ConsoleFront.refusal(413, "refused: the request is " + length + " bytes, larger than the"
                            + " console takes (console.maxUploadBytes " + (c.maxBodyBytes() - 4096) + " and the form)");
                }
            }
            return null;
        }

        /** Body bytes of a refused request read (and dropped) so far. */
        private long discarded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req && path(req.uri()).startsWith("/console")) {
                FullHttpResponse refused = consoleCheck(req);
                discarding = refused != null;
                if (discarding) {
                    ReferenceCountUtil.release(msg);
                    discarded = 0;
                    answers.count("/console", refused.status().code(), "{}");
                    HttpUtil.setKeepAlive(refused, false);
                    ctx.writeAndFlush(refused);
                    if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                        ctx.close();
                    }
                    return;
                }
            } else if (msg instanceof HttpRequest req) {
                StirApi.Response refusal = check(req);
                discarding = refusal != null;
                if (discarding) {
                    ReferenceCountUtil.release(msg);
                    discarded = 0;
                    // the answer goes now; the connection closes once the client has sent its body (closing
                    // while it still sends would reset the connection before it reads the answer)
                    sendAndKeepReading(ctx, req, refusal, answers);
                    if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                        ctx.close();
                    }
                    return;
                }
            } else if (discarding && msg instanceof HttpContent content) {
                discarded += content.content().readableBytes();
                boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last || discarded > MAX_DISCARDED_BYTES) {
                    ctx.close();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private StirApi.Response check(HttpRequest req) {
            String path = path(req.uri());
            boolean stir = path.startsWith("/stir/");
            boolean passports = path.startsWith("/passports/");
            if (path.equals("/status")) {
                if (req.method() != HttpMethod.GET) {
                    return ApiErrors.policy(405, "POL4050", "Method not allowed");
                }
                return authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION)) ? null
                        : ApiErrors.policy(401, "POL4001", "Unauthorized: %1",
                        "a valid bearer token (Authorization: Bearer ...) is required");
            }
            if (!stir && !passports) {
                return null; // health and 404 are the handler's
            }
            boolean get = req.method() == HttpMethod.GET;
            if (req.method() != HttpMethod.POST && !(passports && get)) {
                return ApiErrors.policy(405, "POL4050", "Method not allowed");
            }
            if (stir && !authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                return ApiErrors.policy(401, "POL4001", "Unauthorized: %1",
                        "a valid bearer token (Authorization: Bearer ...) is required");
            }
            String accept = req.headers().get(HttpHeaderNames.ACCEPT);
            if (accept != null && !acceptsJson(accept)) {
                return ApiErrors.service(406, "SVC4002", "Requested response type not supported: %1", accept);
            }
            if (get) {
                return null;
            }
            if (!HttpUtil.isContentLengthSet(req)) {
                return ApiErrors.service(411, "SVC4007", "Missing Content-Length header");
            }
            long length = HttpUtil.getContentLength(req, -1L);
            if (length < 0 || length > maxBody) {
                return ApiErrors.service(413, "SVC4005", "Invalid '%1' parameter value: %2", "body",
                        "larger than " + maxBody + " bytes (api.maxBodyBytes)");
            }
            String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type == null || !type.toLowerCase(Locale.ROOT).trim().startsWith("application/json")) {
                return ApiErrors.service(415, "SVC4004", "Unsupported request body type: %1",
                        type == null ? "(none)" : type);
            }
            return null;
        }

        private boolean authorized(String header) {
            List<String> accepted = tokens.get();
            if (accepted.isEmpty()) {
                return true;
            }
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return false;
            }
            byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (String t : accepted) {
                ok |= MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), given);
            }
            return ok;
        }

        private static boolean acceptsJson(String accept) {
            for (String range : accept.split(",")) {
                String r = range.trim().toLowerCase(Locale.ROOT);
                int semi = r.indexOf(';');
                r = (semi < 0 ? r : r.substring(0, semi)).trim();
                if (r.equals("*/*") || r.equals("application/*") || r.equals("application/json")) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final StirApi api;
        private final CpsServer cps;
        private final ProxyCounters counters;
        private final ApiCounters answers;
        private final java.util.concurrent.atomic.AtomicReference<Supplier<String>> status;
        private final java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.console.Console> console;

        Handler(StirApi api, CpsServer cps, ProxyCounters counters, ApiCounters answers,
                java.util.concurrent.atomic.AtomicReference<Supplier<String>> status,
                java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.console.Console> console) {
            this.api = api;
            this.cps = cps;
            this.counters = counters;
            this.answers = answers;
            this.status = status;
            this.console = console;
        }

        /** A console request: read here, answered on the console's thread, written back on this loop. */
        private void console(ChannelHandlerContext ctx, FullHttpRequest req, io.shakengate.proxy.console.Console c) {
            io.shakengate.proxy.console.Console.Request r = ConsoleFront.read(req,
                    (InetSocketAddress) ctx.channel().remoteAddress());
            boolean keep = HttpUtil.isKeepAlive(req);
            if (r == null) {
                writeConsole(ctx, ConsoleFront.refusal(400, "the form could not be decoded"), false);
                return;
            }
            c.handle(r).whenComplete((a, e) -> ctx.executor().execute(() -> writeConsole(ctx, e != null || a == null
                    ? ConsoleFront.refusal(500, "the console failed on this request") : ConsoleFront.write(a), keep)));
        }

        private void writeConsole(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keep) {
            answers.count("/console", resp.status().code(), "{}");
            HttpUtil.setKeepAlive(resp, keep);
            if (keep) {
                ctx.writeAndFlush(resp);
            } else {
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!req.decoderResult().isSuccess()) {
                send(answers, ctx, req, ApiErrors.service(400, "SVC4006", "Unable to parse the request body: %1",
                        "malformed HTTP request"), false);
                return;
            }
            try {
                route(ctx, req);
            } catch (RuntimeException e) {
                // a defect, not the client's: answer 500 rather than drop the connection
                send(answers, ctx, req, internal(), false);
            }
        }

        private void route(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = path(req.uri());
            io.shakengate.proxy.console.Console c = console.get();
            if (c != null && (path.equals("/console") || path.startsWith("/console/"))) {
                console(ctx, req, c);
                return;
            }
            byte[] body = ByteBufUtil.getBytes(req.content());
            switch (path) {
                case "/stir/v1/signing" -> send(answers, ctx, req, api.signing(body,
                        ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(), counters), true);
                // the service keeps its own budget (on this event loop); the long stop is only a safety net
                case "/stir/v1/verification" -> budgeted(ctx, req, api.verification(body, ctx.executor(), counters),
                        VERIFICATION_SAFETY_MILLIS, internal());
                case "/health" -> send(answers, ctx, req, new StirApi.Response(200, "{\"status\":\"healthy\"}"), true);
                case "/status" -> {
                    Supplier<String> report = status.get();
                    send(answers, ctx, req, report == null ? ApiErrors.service(404, "SVC4003",
                            "Resource not found: %1", path) : new StirApi.Response(200, report.get()), true);
                }
                default -> {
                    String[] p = path.split("/", -1);
                    if (cps != null && p.length == 5 && p[1].equals("passports")) {
                        budgeted(ctx, req, cps.handle(req.method() == HttpMethod.POST, p[2], p[3], p[4],
                                req.headers().get(HttpHeaderNames.AUTHORIZATION), body)
                                .thenApply(a -> new StirApi.Response(a.status(), a.json())),
                                CPS_BUDGET_MILLIS, ApiErrors.service(503, "SVC5030",
                                        "Service unavailable: %1", "the requester's certificate did not arrive in time"));
                    } else {
                        send(answers, ctx, req, ApiErrors.service(404, "SVC4003", "Resource not found: %1", path), true);
                    }
                }
            }
        }

        /** Answers with the future's response, or {@code late} if it has not completed within {@code budget} ms. */
        private void budgeted(ChannelHandlerContext ctx, FullHttpRequest req,
                                     CompletableFuture<StirApi.Response> f, long budget, StirApi.Response late) {
            if (f.isDone()) {
                send(answers, ctx, req, f.getNow(null) == null ? internal() : f.join(), true);
                return;
            }
            // the request is released when this returns: keep what the answer needs
            FullHttpRequest head = new io.netty.handler.codec.http.DefaultFullHttpRequest(req.protocolVersion(),
                    req.method(), req.uri(), Unpooled.EMPTY_BUFFER, req.headers().copy(),
                    io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            boolean[] answered = new boolean[1];
            ScheduledFuture<?> timer = ctx.executor().schedule(() -> {
                if (!answered[0]) {
                    answered[0] = true;
                    send(answers, ctx, head, late, true);
                }
            }, budget, TimeUnit.MILLISECONDS);
            f.whenComplete((r, e) -> ctx.executor().execute(() -> {
                if (!answered[0]) {
                    answered[0] = true;
                    timer.cancel(false);
                    send(answers, ctx, head, e != null || r == null ? internal() : r, true);
                }
            }));
        }

        private static StirApi.Response internal() {
            return ApiErrors.policy(500, "POL5000", "Internal error");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** Answers {@code req} with {@code Connection: close}, leaving the connection open for the caller to close. */
    private static void sendAndKeepReading(ChannelHandlerContext ctx, HttpRequest req, StirApi.Response r,
                                           ApiCounters answers) {
        FullHttpResponse resp = response(answers, req, r);
        HttpUtil.setKeepAlive(resp, false);
        ctx.writeAndFlush(resp);
    }

    private static void send(ApiCounters answers, ChannelHandlerContext ctx, HttpRequest req, StirApi.Response r,
                             boolean keepAlive) {
        FullHttpResponse resp = response(answers, req, r);
        boolean keep = keepAlive && HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(resp, keep);
        if (keep) {
            ctx.writeAndFlush(resp);
        } else {
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(ApiCounters answers, HttpRequest req, StirApi.Response r) {
        answers.count(path(req.uri()), r.status(), r.json());
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.json().getBytes(StandardCharsets.UTF_8)));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        String id = req.headers().get("X-RequestID");
        resp.headers().set("X-RequestID", id != null ? id : UUID.randomUUID().toString());
        String instance = req.headers().get("X-InstanceID");
        if (instance != null) {
            resp.headers().set("X-InstanceID", instance);
        }
        if (r.status() == 401) {
            resp.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        return resp;
    }
}
