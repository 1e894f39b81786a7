package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipMalformedMessage;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipResponses;

/**
 * Answers each {@link SipMalformedMessage} that can be answered with the status and reason phrase of its
 * error (400 "Bad Request (invalid Content-Length)", 505, ...), sent back to the address it came from
 * (never to a host named in the malformed message, so it cannot be used to reflect traffic). On a stream
 * the connection is closed afterwards, since its framing is lost. Every other message passes on.
 */
@ChannelHandler.Sharable
public final class SipBadRequestResponder extends ChannelInboundHandlerAdapter {
    /** The shared instance. */
    public static final SipBadRequestResponder INSTANCE = new SipBadRequestResponder();

    private SipBadRequestResponder() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof SipMalformedMessage bad)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            boolean datagram = bad.isDatagram();
            SipMessage partial = bad.partial();
            if (partial != null && bad.error().status() != 0 && SipResponses.canAnswer(partial)) {
                ByteBuf response = SipResponses.forError(partial, bad.error()).build(ctx.alloc());
                if (datagram) {
                    if (partial.sender() != null) {
                        ctx.writeAndFlush(new DatagramPacket(response, partial.sender()));
                    } else {
                        response.release();
                    }
                } else {
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            } else if (!datagram) {
                ctx.close();
            }
        } finally {
            bad.release();
        }
    }
}
