package io.shakengate.proxy.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Native epoll where it loads (Linux x86_64 here), NIO otherwise; {@link #describe()} says which, for the
 * start-up log. With epoll, UDP listeners bind once per event loop with SO_REUSEPORT so that every loop reads.
 */
public record Transports(boolean epoll, String unavailableReason) {

    /** The best transport of this process. */
    public static Transports detect() {
        return Epoll.isAvailable() ? new Transports(true, null)
                : new Transports(false, String.valueOf(Epoll.unavailabilityCause()));
    }

    /** NIO, whatever is available (tests of the fallback). */
    public static Transports nio() {
        return new Transports(false, "forced");
    }

    /** The event-loop I/O handler factory. */
    public IoHandlerFactory ioHandlerFactory() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The datagram channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** The server socket channel class. */
    public Class<? extends ServerSocketChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client socket channel class. */
    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** "epoll" or "nio (reason)". */
    public String describe() {
        return epoll ? "epoll (native)" : "nio (epoll unavailable: " + unavailableReason + ")";
    }
}
