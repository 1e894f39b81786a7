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
 * The message retains the datagram's buffer, with no copy, unless that buffer is much larger than the
 * message (a fixed 64 KiB receive buffer holding a 1 KiB INVITE): then the message is copied into a buffer
 * of its own size, so that INVITEs waiting for a certificate do not pin 64 KiB each.
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
        int from = content.readerIndex();
        int end = parser.parse(content, from, from + readable, true);
        int start = parser.messageStart();
        if (end >= 0) {
            SipMessage m = message(ctx, parser, content, start, end - start, false);
            m.addresses(packet.sender(), packet.recipient());
            listener.decoded(m.isRequest());
            out.add(m);
            return;
        }
        SipParseError error = parser.error();
        listener.rejected(error);
        if (error.status() != 0 && parser.isRequestLike()) {
            SipMessage partial = message(ctx, parser, content, start, from + readable - start, true);
            partial.addresses(packet.sender(), packet.recipient());
            out.add(new SipMalformedMessage(error, parser.errorOffset(), partial, true));
        }
    }

    private static SipMessage message(ChannelHandlerContext ctx, SipParser parser, ByteBuf content, int start,
                                      int length, boolean partial) {
        ByteBuf buf;
        int base;
        if (content.capacity() > 4 * length && content.capacity() > 8192) {
            buf = ctx.alloc().buffer(length);
            buf.writeBytes(content, start, length);
            base = 0;
        } else {
            buf = content.retain();
            base = start;
        }
        return partial ? parser.buildPartial(buf, base, length) : parser.build(buf, base, length);
    }
}
