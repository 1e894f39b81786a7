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
 * bytes it has not searched yet, then copies the header block once into a pooled heap buffer and parses it
 * once; the body is appended to that buffer when it has arrived, and the buffer becomes the message's.
 *
 * <p>After a framing error the stream cannot be trusted: the decoder passes on a {@link SipMalformedMessage}
 * (so that the request can be answered), discards everything after it, and the connection should be closed
 * ({@link SipBadRequestResponder} does). One instance per channel.
 */
public final class SipStreamDecoder extends ByteToMessageDecoder {
    private static final ByteBuf PONG = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();
    private static final int NOT_FOUND = -1;

    private final SipParser parser;
    private final SipDecoderListener listener;
    private int searched;
    /** The header block being completed with its body, or null; owned by this decoder until handed over. */
    private ByteBuf head;
    private int headLength;
    private int messageLength;
    private boolean failed;
    private long framed;

    /** A decoder with the given limits, reporting to {@code listener}. */
    public SipStreamDecoder(SipDecoderConfig config, SipDecoderListener listener) {
        this.parser = new SipParser(config);
        this.listener = listener;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable() && !failed) {
            if (head == null) {
                if (searched == 0 && skipKeepAlives(ctx, in)) {
                    continue;
                }
                int headEnd = findHeaderEnd(in);
                if (headEnd == NOT_FOUND) {
                    return;
                }
                if (!parseHead(ctx, in, headEnd, out)) {
                    break;
                }
            }
            int from = in.readerIndex();
            if (in.writerIndex() - from < messageLength) {
                return;
            }
            int bodyLength = messageLength - headLength;
            head.writeBytes(in, from + headLength, bodyLength);
            in.readerIndex(from + messageLength);
            SipMessage m = parser.build(head, 0, messageLength);
            head = null;
            m.addresses(remote(ctx), local(ctx));
            listener.decoded(m.isRequest());
            framed++;
            out.add(m);
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Whether bytes of a message not yet complete are held (a header block without its empty line, or a body
     * not all arrived): with {@link #framed()}, what a guard needs to tell a slow sender from a busy one.
     * Call on the channel's event loop.
     */
    public boolean midMessage() {
        return head != null || (!failed && actualReadableBytes() > 0);
    }

    /** Messages framed on this stream so far. Call on the channel's event loop. */
    public long framed() {
        return framed;
    }

    /** Copies and parses the header block [readerIndex, headEnd); false if the stream failed. */
    private boolean parseHead(ChannelHandlerContext ctx, ByteBuf in, int headEnd, List<Object> out) {
        int from = in.readerIndex();
        searched = 0;
        headLength = headEnd - from;
        int capacity = Math.min(in.readableBytes(), headLength + parser.config().maxBodyBytes());
        ByteBuf copy = ctx.alloc().heapBuffer(capacity);
        copy.writeBytes(in, from, headLength);
        int off = copy.arrayOffset();
        int r = parser.parse(copy.array(), off, off + headLength, false);
        if (r == SipParser.ERROR) {
            fail(ctx, copy, out);
            return false;
        }
        head = copy;
        messageLength = r == SipParser.NEED_MORE ? headLength + parser.declaredContentLength() : headLength;
        return true;
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

    /**
     * Index just after the empty line that ends the header block, or {@link #NOT_FOUND}; searches each byte
     * once across calls. Past the header block limit without an empty line it returns the limit, so that the
     * parser names the limit that broke.
     */
    private int findHeaderEnd(ByteBuf in) {
        int from = in.readerIndex();
        int end = in.writerIndex();
        int limit = parser.config().maxHeaderBlockBytes() + 4;
        int p = from + Math.max(0, searched - 3);
        int stop = Math.min(end, from + limit);
        while (p < stop) {
            int lf = in.indexOf(p, stop, (byte) '\n');
            if (lf < 0 || lf + 1 >= end) {
                break;
            }
            if (in.getByte(lf + 1) == '\n') {
                return lf + 2;
            }
            if (lf + 2 < end && in.getByte(lf + 1) == '\r' && in.getByte(lf + 2) == '\n') {
                return lf + 3;
            }
            if (lf + 2 >= end) {
                break;
            }
            p = lf + 1;
        }
        searched = stop - from;
        return end - from >= limit ? from + limit : NOT_FOUND;
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf copy, List<Object> out) {
        SipParseError error = parser.error();
        listener.rejected(error);
        failed = true;
        if (error.status() != 0 && parser.isRequestLike()) {
            int start = parser.messageStart() - copy.arrayOffset();
            SipMessage partial = parser.buildPartial(copy, start, copy.readableBytes() - start);
            partial.addresses(remote(ctx), local(ctx));
            out.add(new SipMalformedMessage(error, parser.errorOffset(), partial, false));
        } else {
            copy.release();
            out.add(new SipMalformedMessage(error, parser.errorOffset(), null, false));
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
    }

    private static InetSocketAddress remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    private static InetSocketAddress local(ChannelHandlerContext ctx) {
        return ctx.channel().localAddress() instanceof InetSocketAddress a ? a : null;
    }
}
