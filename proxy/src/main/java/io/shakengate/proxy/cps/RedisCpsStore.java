package io.shakengate.proxy.cps;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.CharsetUtil;
import io.shakengate.proxy.transport.Transports;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The CPS store several CPS nodes share: Redis, over one pipelined connection with Netty's RESP codec on one
 * of the appliance's event loops (no thread blocks on Redis). A publish is one Lua script, atomic in Redis:
 * the token id set with {@code SET NX PX} (replay), the call's sorted set (member: PASSporT, score: expiry in
 * ms) trimmed of expired members, bounded to {@code maxPerCall}, then extended and its key's expiry set. A
 * retrieve is {@code ZRANGEBYSCORE key (now +inf}. Keys: {@code prefix + "jti:" + jti} and
 * {@code prefix + "call:" + dest + "/" + orig}. The overall size is Redis's to bound ({@code maxmemory}).
 *
 * <p>The connection is made on first use and again after it drops; commands sent while it is down fail at
 * once (the CPS answers 503 and the caller's budget goes on).
 */
public final class RedisCpsStore implements CpsStore {
    private static final String PUBLISH = String.join("\n",
            "if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 'REPLAYED' end",
            "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])",
            "if redis.call('ZCARD', KEYS[2]) + #ARGV - 4 > tonumber(ARGV[4]) then return 'TOO_MANY' end",
            "for i = 5, #ARGV do redis.call('ZADD', KEYS[2], ARGV[3], ARGV[i]) end",
            "local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')",
            "redis.call('PEXPIREAT', KEYS[2], last[2])",
            "return 'STORED'");

    private final EventLoopGroup group;
    private final Transports transports;
    private final InetSocketAddress address;
    private final int maxPerCall;
    private final String prefix;
    private final LongSupplier clockMillis;
    /** The connection (made on first use, made again after it closed); one at a time, even under races. */
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Channel>> connection =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** A store in the Redis at {@code address}, connecting with {@code group}'s event loops. */
    public RedisCpsStore(EventLoopGroup group, Transports transports, InetSocketAddress address, int maxPerCall,
                         String prefix, LongSupplier clockMillis) {
        this.group = group;
        this.transports = transports;
        this.address = address;
        this.maxPerCall = maxPerCall;
        this.prefix = prefix;
        this.clockMillis = clockMillis;
    }

    /** Replies in order: the futures of the commands sent on one connection, touched on its event loop only. */
    private static final class Replies extends SimpleChannelInboundHandler<RedisMessage> {
        final ArrayDeque<CompletableFuture<Object>> pending = new ArrayDeque<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RedisMessage msg) {
            CompletableFuture<Object> f = pending.poll();
            if (f != null) {
                Object v = value(msg);
                if (v instanceof IOException e) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(v);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException down = new IOException("the Redis connection closed");
            for (CompletableFuture<Object> f; (f = pending.poll()) != null; ) {
                f.completeExceptionally(down);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Object value(RedisMessage m) {
        if (m instanceof SimpleStringRedisMessage s) {
            return s.content();
        }
        if (m instanceof ErrorRedisMessage e) {
            return new IOException("Redis: " + e.content());
        }
        if (m instanceof IntegerRedisMessage i) {
            return i.value();
        }
        if (m instanceof FullBulkStringRedisMessage b) {
            return b.isNull() ? null : b.content().toString(CharsetUtil.UTF_8);
        }
        if (m instanceof ArrayRedisMessage a) {
            List<Object> out = new ArrayList<>(a.children().size());
            for (RedisMessage c : a.children()) {
                out.add(value(c));
            }
            return out;
        }
        return new IOException("Redis: unexpected reply " + m);
    }

    private CompletableFuture<Channel> connected() {
        while (true) {
            CompletableFuture<Channel> current = connection.get();
            if (current != null && (!current.isDone() || (!current.isCompletedExceptionally()
                    && current.join().isActive()))) {
                return current;
            }
            CompletableFuture<Channel> next = new CompletableFuture<>();
            if (!connection.compareAndSet(current, next)) {
                continue; // another caller is connecting: use its connection
            }
            new Bootstrap().group(group).channel(transports.socketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new RedisDecoder(), new RedisBulkStringAggregator(),
                                    new RedisArrayAggregator(1024, 4), new RedisEncoder(), new Replies());
                        }
                    }).connect(address).addListener(cf -> {
                        if (cf.isSuccess()) {
                            next.complete(((io.netty.channel.ChannelFuture) cf).channel());
                        } else {
                            next.completeExceptionally(new IOException("Redis at " + address + ": "
                                    + cf.cause().getMessage()));
                        }
                    });
            return next;
        }
    }

    /** Sends one command; the future has its reply (String, Long, List, null) or fails. */
    CompletableFuture<Object> command(String... args) {
        return connected().thenCompose(ch -> {
            CompletableFuture<Object> reply = new CompletableFuture<>();
            ch.eventLoop().execute(() -> {
                if (!ch.isActive()) {
                    reply.completeExceptionally(new IOException("the Redis connection closed"));
                    return;
                }
                List<RedisMessage> parts = new ArrayList<>(args.length);
                for (String a : args) {
                    parts.add(new FullBulkStringRedisMessage(ByteBufUtil.writeUtf8(ch.alloc(), a)));
                }
                ch.pipeline().get(Replies.class).pending.add(reply);
                ch.writeAndFlush(new ArrayRedisMessage(parts));
            });
            return reply;
        });
    }

    @Override
    public CompletableFuture<Outcome> publish(String dest, String orig, List<String> passports, long expiresAtMillis,
                                              String jti, long jtiExpiresAtMillis) {
        long now = clockMillis.getAsLong();
        List<String> args = new ArrayList<>(List.of("EVAL", PUBLISH, "2", prefix + "jti:" + jti,
                prefix + "call:" + dest + "/" + orig, Long.toString(Math.max(1, jtiExpiresAtMillis - now)),
                Long.toString(now), Long.toString(expiresAtMillis), Integer.toString(maxPerCall)));
        args.addAll(passports);
        return command(args.toArray(String[]::new)).thenApply(r -> Outcome.valueOf(String.valueOf(r)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<String>> retrieve(String dest, String orig) {
        return command("ZRANGEBYSCORE", prefix + "call:" + dest + "/" + orig, "(" + clockMillis.getAsLong(), "+inf")
                .thenApply(r -> (List<String>) (List<?>) r);
    }

    @Override
    public String describe() {
        return "redis " + address.getAddress().getHostAddress() + ":" + address.getPort() + " (at most " + maxPerCall
                + " PASSporTs per call, keys " + prefix + "*)";
    }

    @Override
    public void close() {
        CompletableFuture<Channel> c = connection.get();
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().close().awaitUninterruptibly(1000);
        }
    }
}
