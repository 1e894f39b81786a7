package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannelConfig;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMalformedMessage;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.SipParser;

import java.util.List;

/**
 * One UDP datagram in, one {@link SipMessage} (or one {@link SipMalformedMessage}, or nothing) out
 * (RFC 3261 section 18.3: a datagram holds exactly one message; bytes after its body are ignored, and a body
 * without Content-Length runs to the end of the datagram).
 *
 * <p>Sharable: it keeps no per-channel state; each event-loop thread has its own {@link SipParser}.
 * The datagram is copied once into a pooled heap buffer of its own size, which the message owns: parsing
 * reads its array (much cheaper than ByteBuf accessors), and INVITEs waiting for a certificate do not pin a
 * 64 KiB receive buffer each.
 *
 * <p>Netty's default datagram receive buffer is 2,048 bytes, which silently truncates an INVITE with SDP and
 * an Identity header: use {@link #configure} on every datagram channel.
 *
 * <p>Malformed datagrams never throw: keep-alives, garbage and responses that do not parse are dropped and
 * counted; a request that can still be answered goes on as a {@link SipMalformedMessage}.
 */
@ChannelHandler.Sharable
public final class SipDatagramDecoder extends MessageToMessageDecoder<DatagramPacket> {
    private final SipDecoderConfig config;
    private final SipDecoderListener listener;
    private final FastThreadLocal<SipParser> parsers;

    /** A decoder with the given limits, reporting to {@code listener}. */
    public SipDatagramDecoder(SipDecoderConfig config, SipDecoderListener listener) {
        super(DatagramPacket.class);
        this.config = config;
        this.listener = listener;
        this.parsers = new FastThreadLocal<>() {
            @Override
            protected SipParser initialValue() {
                return new SipParser(config);
            }
        };
    }

    /** Sets the channel's receive buffer to {@link SipDecoderConfig#maxDatagramBytes()} (plus one, to see overflow). */
    public static void configure(DatagramChannelConfig channelConfig, SipDecoderConfig config) {
        channelConfig.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(config.maxDatagramBytes() + 1));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
        ByteBuf content = packet.content();
        int readable = content.readableBytes();
        if (readable > config.maxDatagramBytes()) {
            listener.rejected(SipParseError.DATAGRAM_TOO_LARGE);
            return;
        }
        SipParser parser = parsers.get();
        ByteBuf copy = ctx.alloc().heapBuffer(readable, readable);
        boolean handedOver = false;
        try {
            copy.writeBytes(content, content.readerIndex(), readable);
            int off = copy.arrayOffset();
            int end = parser.parse(copy.array(), off, off + readable, true);
            int start = parser.messageStart() - off;
            if (end >= 0) {
                SipMessage m = parser.build(copy, start, end - off - start);
                handedOver = true;
                m.addresses(packet.sender(), packet.recipient());
                listener.decoded(m.isRequest());
                out.add(m);
                return;
            }
            SipParseError error = parser.error();
            listener.rejected(error);
            if (error.status() != 0 && parser.isRequestLike()) {
                SipMessage partial = parser.buildPartial(copy, start, readable - start);
                handedOver = true;
                partial.addresses(packet.sender(), packet.recipient());
                out.add(new SipMalformedMessage(error, parser.errorOffset(), partial, true));
            }
        } finally {
            if (!handedOver) {
                copy.release();
            }
        }
    }
}
