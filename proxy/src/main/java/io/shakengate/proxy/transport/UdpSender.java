package io.shakengate.proxy.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipMessage;

import java.net.InetSocketAddress;

/**
 * UDP: every message is one datagram from the listening point's own socket. Requests and responses forwarded
 * on the channel they came in on are written and left for {@link #flush}: the datagrams of one read batch then
 * leave in one {@code sendmmsg} (native transport) instead of one system call each.
 */
public final class UdpSender implements SipSender {
    /** The shared instance: writes on the channel the message came in on. */
    public static final UdpSender INSTANCE = new UdpSender(null, null);

    /** The UDP socket to write on, or null for the channel the message came in on. */
    private final java.util.function.Supplier<io.netty.channel.Channel> socket;
    /** The watch of the next hops' port-unreachables, or null. */
    private final UdpHopWatch watch;

    private UdpSender(java.util.function.Supplier<io.netty.channel.Channel> socket, UdpHopWatch watch) {
        this.socket = socket;
        this.watch = watch;
    }

    /**
     * A sender on the channel the message came in on that learns, through {@code watch}, whether a request
     * reached its next hop ({@link #sendRequest(ChannelHandlerContext, ByteBuf, InetSocketAddress,
     * java.util.function.Consumer)}).
     */
    public static UdpSender watching(UdpHopWatch watch) {
        return new UdpSender(null, java.util.Objects.requireNonNull(watch));
    }

    /** Whether this sender can tell that a request did not reach its next hop (an ICMP port-unreachable). */
    @Override
    public boolean seesRefusals() {
        return watch != null;
    }

    /**
     * A sender writing on the UDP socket {@code socket} supplies, whatever channel the message came in on: for
     * responses that come back over a TCP or TLS connection to the next hop and continue over UDP. Its local
     * answers go back on the connection the request came in on.
     */
    public static SipSender on(java.util.function.Supplier<io.netty.channel.Channel> socket) {
        return new UdpSender(java.util.Objects.requireNonNull(socket), null);
    }

    private void write(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
        DatagramPacket packet = new DatagramPacket(message, to);
        if (socket != null) {
            socket.get().writeAndFlush(packet);
        } else {
            ctx.write(packet); // a failed send (an unreachable peer) is dropped, as a lost datagram
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (socket == null) {
            ctx.flush();
        }
    }

    @Override
    public String viaTransport() {
        return "UDP";
    }

    @Override
    public boolean reliable() {
        return false;
    }

    @Override
    public void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop) {
        write(ctx, message, nextHop);
    }

    @Override
    public void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop,
                            java.util.function.Consumer<Boolean> outcome) {
        if (watch == null) {
            SipSender.super.sendRequest(ctx, message, nextHop, outcome);
        } else {
            watch.send(ctx, new DatagramPacket(message, nextHop), outcome);
        }
    }

    @Override
    public boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
        write(ctx, message, to);
        return true;
    }

    @Override
    public void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response) {
        if (socket != null) {
            ctx.writeAndFlush(response); // the request came over a stream: the answer goes back on it
            return;
        }
        if (request.sender() == null) {
            response.release();
            return;
        }
        ctx.writeAndFlush(new DatagramPacket(response, request.sender()));
    }
}
