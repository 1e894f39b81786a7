package io.shakengate.proxy.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.shakengate.codec.SipMessage;

import java.net.InetSocketAddress;

/**
 * How a listening point's transport sends what the proxy produces: requests to the next hop, responses to
 * the previous hop, and local answers to the sender of a request. Takes ownership of the buffers.
 */
public interface SipSender {
    /** The Via transport token ("UDP", "TCP"). */
    String viaTransport();

    /** True if the transport is reliable: the proxy then records received/rport in the top Via. */
    boolean reliable();

    /**
     * Whether {@link #sendRequest(ChannelHandlerContext, ByteBuf, InetSocketAddress, java.util.function.Consumer)}
     * can say that a request did not reach its next hop: a refused connection (streams), an ICMP
     * port-unreachable (a watched UDP point).
     */
    default boolean seesRefusals() {
        return reliable();
    }

    /** Sends a request to {@code nextHop}. */
    void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop);

    /**
     * Sends a request to {@code nextHop} and tells {@code outcome}, on {@code ctx}'s event loop, whether it
     * left (false: the next hop could not be reached, e.g. a refused TCP connection). A sender that cannot tell
     * (UDP) says true.
     */
    default void sendRequest(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress nextHop,
                             java.util.function.Consumer<Boolean> outcome) {
        sendRequest(ctx, message, nextHop);
        outcome.accept(Boolean.TRUE);
    }

    /** Sends a response towards the previous hop at {@code to}; false if it cannot be delivered. */
    boolean sendResponse(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress to);

    /** Answers {@code request} locally (a 4xx/6xx the proxy generates). */
    void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response);

    /**
     * Sends what {@link #sendRequest} and {@link #sendResponse} left written but unflushed on {@code ctx}'s
     * channel. A sender may leave them so while the event loop is still reading a batch of datagrams, for one
     * {@code sendmmsg} at the end of the batch; the proxy calls this at the end of each read batch and after
     * each message it forwards outside one.
     */
    default void flush(ChannelHandlerContext ctx) {
    }
}
