package io.shakengate.proxy.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipMessage;

import java.net.InetSocketAddress;

/** UDP: every message is one datagram from the listening point's own socket. */
public final class UdpSender implements SipSender {
    /** The shared instance: writes on the channel the message came in on. */
    public static final UdpSender INSTANCE = new UdpSender(null);

    private final io.netty.channel.Channel socket;

    private UdpSender(io.netty.channel.Channel socket) {
        this.socket = socket;
    }

    /**
     * A sender writing on the UDP socket {@code socket} supplies, whatever channel the message came in on: for
     * responses that come back over a TCP or TLS connection to the next hop and continue over UDP.
     */
    public static SipSender on(java.util.function.Supplier<io.netty.channel.Channel> socket) {
        return new SipSender() {
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
                new UdpSender(socket.get()).sendRequest(ctx, message, nextHop);
            }

            @Override
            public boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
                return new UdpSender(socket.get()).sendResponse(ctx, message, to);
            }

            @Override
            public void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response) {
                ctx.writeAndFlush(response); // a local answer goes back where the request came from
            }
        };
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
        if (socket != null) {
            socket.writeAndFlush(new DatagramPacket(message, nextHop));
        } else {
            ctx.writeAndFlush(new DatagramPacket(message, nextHop));
        }
    }

    @Override
    public boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
        if (socket != null) {
            socket.writeAndFlush(new DatagramPacket(message, to));
        } else {
            ctx.writeAndFlush(new DatagramPacket(message, to));
        }
        return true;
    }

    @Override
    public void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response) {
        if (request.sender() == null) {
            response.release();
            return;
        }
        ctx.writeAndFlush(new DatagramPacket(response, request.sender()));
    }
}
