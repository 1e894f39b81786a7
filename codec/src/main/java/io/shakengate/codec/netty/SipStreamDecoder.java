package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMalformedMessage;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.SipParser;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Frames SIP messages on a stream transport (TCP, TLS): a message may arrive split at any byte, several may
 * arrive in one read, and Content-Length (mandatory on streams, RFC 3261 section 18.3) ends each one.
 * CRLFs between messages are skipped; a double-CRLF keep-alive ping is answered with a single-CRLF pong
 * (RFC 5626 section 3.5.1).
 *
 * <p>Work per byte stays linear however the bytes are split: the decoder looks for the empty line only in
 * bytes it has not searched yet, parses the header block once, then waits for the body without parsing
 * again.
 *
 * <p>After a framing error the stream cannot be trusted: the decoder passes on a {@link SipMalformedMessage}
 * (so that the request can be answered), discards everything after it, and the connection should be closed
 * ({@link SipBadRequestResponder} does). One instance per channel.
 */
public final class SipStreamDecoder extends ByteToMessageDecoder {
    private static final ByteBuf PONG = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();

    private final SipParser parser;
    private final SipDecoderListener listener;
    private int searched;
    private int pendingLength;
    private boolean failed;

    /** A decoder with the given limits, reporting to {@code listener}. */
    public SipStreamDecoder(SipDecoderConfig config, SipDecoderListener listener) {
        this.parser = new SipParser(config);
        this.listener = listener;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            if (pendingLength == 0 && searched == 0 && skipKeepAlives(ctx, in)) {
                continue;
            }
            if (!in.isReadable()) {
                return;
            }
            int from = in.readerIndex();
            int end = in.writerIndex();
            if (pendingLength > 0 ? end - from < pendingLength : !headerBlockComplete(in, from, end)) {
                return;
            }
            int r = parser.parse(in, from, end, false);
            if (r == SipParser.NEED_MORE) {
                if (parser.headerBlockLength() < 0) {
                    return;
                }
                pendingLength = parser.messageStart() - from + expectedLength();
                return;
            }
            searched = 0;
            pendingLength = 0;
            if (r == SipParser.ERROR) {
                fail(ctx, in, out, from);
                return;
            }
            int start = parser.messageStart();
            SipMessage m = parser.build(in.retainedSlice(start, r - start), 0, r - start);
            m.addresses(remote(ctx), local(ctx));
            in.readerIndex(r);
            listener.decoded(m.isRequest());
            out.add(m);
        }
    }

    /** Length of the message (from its start) that the last NEED_MORE parse is waiting for. */
    private int expectedLength() {
        return parser.headerBlockLength() + parser.declaredContentLength();
    }

    private boolean skipKeepAlives(ChannelHandlerContext ctx, ByteBuf in) {
        int p = in.readerIndex();
        int e = in.writerIndex();
        int lfs = 0;
        while (p < e) {
            byte b = in.getByte(p);
            if (b == '\n') {
                lfs++;
            } else if (b != '\r') {
                break;
            }
            p++;
        }
        if (p == in.readerIndex()) {
            return false;
        }
        in.readerIndex(p);
        if (lfs >= 2) {
            ctx.writeAndFlush(PONG.duplicate());
            listener.rejected(SipParseError.KEEPALIVE);
        }
        return true;
    }

    /** True once [from, end) holds an empty line; searches each byte once across calls. */
    private boolean headerBlockComplete(ByteBuf in, int from, int end) {
        int limit = parser.config().maxHeaderBlockBytes() + 4;
        int p = from + Math.max(0, searched - 3);
        int stop = Math.min(end, from + limit);
        while (p < stop) {
            int lf = in.indexOf(p, stop, (byte) '\n');
            if (lf < 0) {
                break;
            }
            if (lf + 1 < end && in.getByte(lf + 1) == '\n') {
                return true;
            }
            if (lf + 2 < end && in.getByte(lf + 1) == '\r' && in.getByte(lf + 2) == '\n') {
                return true;
            }
            if (lf + 2 >= end) {
                break;
            }
            p = lf + 1;
        }
        searched = stop - from;
        // Past the limit without an empty line: let the parser name the limit that broke.
        return end - from >= limit;
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, List<Object> out, int from) {
        SipParseError error = parser.error();
        listener.rejected(error);
        failed = true;
        if (error.status() != 0 && parser.isRequestLike()) {
            int start = parser.messageStart();
            int len = in.writerIndex() - start;
            SipMessage partial = parser.buildPartial(in.retainedSlice(start, len), 0, len);
            partial.addresses(remote(ctx), local(ctx));
            out.add(new SipMalformedMessage(error, parser.errorOffset(), partial, false));
        } else {
            out.add(new SipMalformedMessage(error, parser.errorOffset(), null, false));
        }
        in.skipBytes(in.readableBytes());
    }

    private static InetSocketAddress remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    private static InetSocketAddress local(ChannelHandlerContext ctx) {
        return ctx.channel().localAddress() instanceof InetSocketAddress a ? a : null;
    }
}
