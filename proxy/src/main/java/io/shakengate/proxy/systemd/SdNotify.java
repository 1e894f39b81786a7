package io.shakengate.proxy.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service manager's notification protocol (sd_notify(3)) spoken by the JVM itself: datagrams to the
 * {@code NOTIFY_SOCKET} through Netty's native epoll domain-datagram channel, so that the main PID sends them
 * ({@code NotifyAccess=main}) and no JNI of our own nor child process is needed. READY=1 when the listening
 * points are bound, RELOADING=1 (with MONOTONIC_USEC) and READY=1 around a SIGHUP reload, STOPPING=1 when a
 * stop begins, and WATCHDOG=1 every half {@code WATCHDOG_USEC}, sent only after every event loop has run a task
 * (a stuck loop stops the pings and systemd's watchdog acts).
 *
 * <p>Without {@code NOTIFY_SOCKET} (not under systemd), with an abstract socket ({@code @...}) or without the
 * native transport, {@link #disabled(String)} does nothing and {@link #describe()} says why.
 */
public final class SdNotify implements AutoCloseable {
    private final Channel channel;
    private final DomainSocketAddress target;
    private final String description;
    private final AtomicLong watchdogPings = new AtomicLong();
    private volatile ScheduledFuture<?> watchdog;

    private SdNotify(Channel channel, DomainSocketAddress target, String description) {
        this.channel = channel;
        this.target = target;
        this.description = description;
    }

    /** A notifier that sends nothing; {@code why} is said by {@link #describe()}. */
    public static SdNotify disabled(String why) {
        return new SdNotify(null, null, "sd_notify off: " + why);
    }

    /**
     * The notifier the environment asks for: {@code NOTIFY_SOCKET} and, when {@code WATCHDOG_USEC} is set (and
     * {@code WATCHDOG_PID}, if set, is this process), the watchdog pings over the loops of {@code group}.
     */
    public static SdNotify fromEnvironment(Map<String, String> env, EventLoopGroup group, boolean epoll) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return disabled("no NOTIFY_SOCKET (not started by systemd with Type=notify)");
        }
        if (socket.startsWith("@")) {
            return disabled("abstract socket " + socket + " is not supported (system services get a path)");
        }
        if (!epoll) {
            return disabled("the native epoll transport did not load");
        }
        SdNotify n = connect(group, socket);
        if (n.channel == null) {
            return n;
        }
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec != null && (pid == null || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            try {
                long micros = Long.parseLong(usec.trim());
                if (micros > 0) {
                    n.startWatchdog(group, Math.max(1, micros / 2));
                }
            } catch (NumberFormatException e) {
                return new SdNotify(n.channel, n.target, n.description + " (WATCHDOG_USEC '" + usec
                        + "' is not a number: no watchdog pings)");
            }
        }
        return n;
    }

    /** A notifier sending to the datagram socket at {@code path} from a channel on {@code group}. */
    public static SdNotify connect(EventLoopGroup group, String path) {
        DomainSocketAddress target = new DomainSocketAddress(path);
        io.netty.channel.ChannelFuture f = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(target).awaitUninterruptibly();
        if (!f.isSuccess()) {
            f.channel().close();
            return disabled("cannot reach " + path + ": " + f.cause().getMessage());
        }
        return new SdNotify(f.channel(), target, "sd_notify to " + path);
    }

    /** Sends {@code state} (newline-separated assignments); never blocks, never throws. */
    public void send(String state) {
        if (channel == null || !channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new DomainDatagramPacket(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8),
                target));
    }

    /** READY=1 with a status line. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** RELOADING=1 with the monotonic time systemd's notify-reload mode needs. */
    public void reloading() {
        // HotSpot's System.nanoTime() reads CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC names.
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading");
    }

    /** STOPPING=1 with a status line. */
    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + status);
    }

    /** Pings sent so far. */
    public long watchdogPings() {
        return watchdogPings.get();
    }

    /** What is sent where, for the start-up log. */
    public String describe() {
        return description + (watchdog != null ? ", watchdog pings on" : "");
    }

    private void startWatchdog(EventLoopGroup group, long intervalMicros) {
        watchdog = group.next().scheduleAtFixedRate(() -> {
            List<Future<?>> runs = new ArrayList<>();
            for (EventExecutor loop : group) {
                runs.add(loop.submit(() -> { }));
            }
            checkAll(runs, 0);
        }, intervalMicros, intervalMicros, TimeUnit.MICROSECONDS);
    }

    /** Pings once every loop has run its task: a blocked loop holds the ping back. */
    private void checkAll(List<Future<?>> runs, int i) {
        if (i == runs.size()) {
            watchdogPings.incrementAndGet();
            send("WATCHDOG=1");
            return;
        }
        runs.get(i).addListener(f -> {
            if (f.isSuccess()) {
                checkAll(runs, i + 1);
            }
        });
    }

    @Override
    public void close() {
        ScheduledFuture<?> w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }
}
