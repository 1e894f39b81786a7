package io.shakengate.proxy.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipMessage;

import java.net.InetSocketAddress;

/** UDP: every message is one datagram from the listening point's own socket. */
public final class UdpSender implements SipSender {
    /** The shared instance. */
    public static final UdpSender INSTANCE = new UdpSender();

    private UdpSender() {
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
        ctx.writeAndFlush(new DatagramPacket(message, nextHop));
    }

    @Override
    public boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to) {
        ctx.writeAndFlush(new DatagramPacket(message, to));
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
