package io.shakengate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.shakengate.codec.SipMessage;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.transport.SipSender;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * How a SIP front waits for a verification without holding its event loop: the INVITE is retained and
 * remembered (its retransmissions are absorbed meanwhile), the drain knows it is in progress, and the answer
 * runs back on the channel's event loop (or, when the loop has stopped, the INVITE is let go).
 */
final class SipVerifyWait {
    private final PendingInvites pending;
    private final Drain drain;
    private final ProxyCounters counters;

    SipVerifyWait(PendingInvites pending, Drain drain, ProxyCounters counters) {
        this.pending = pending;
        this.drain = drain;
        this.counters = counters;
    }

    /**
     * Runs {@code then} with the verification: now if {@code f} is complete (returns false), else on the event
     * loop when it completes (returns true: {@code m} was handed over and is released after {@code then}).
     * A retransmission of an INVITE still waiting is absorbed (returns false).
     */
    boolean await(ChannelHandlerContext ctx, SipMessage m, SipSender sender, CompletableFuture<Verification> f,
                  Consumer<Verification> then) {
        if (f.isDone()) {
            then.accept(f.join());
            return false;
        }
        String key = m.callId() + '\n' + m.cseq().number() + '\n' + m.topVia().branch();
        if (!pending.begin(key)) {
            // a retransmission of an INVITE still being verified: that one will be answered
            counters.count(ProxyCounters.Event.RETRANSMISSION_ABSORBED);
            return false;
        }
        drain.started();
        f.whenComplete((v, error) -> onLoop(ctx, () -> {
            try {
                then.accept(v);
            } finally {
                sender.flush(ctx); // outside a read batch: nothing else will flush it
                pending.end(key);
                m.release();
                drain.finished();
            }
        }, () -> {
            // the appliance stopped while this INVITE waited: nothing to answer it with
            pending.end(key);
            m.release();
            drain.finished();
        }));
        return true;
    }

    /** Runs {@code finish} on {@code ctx}'s event loop, or {@code stopped} when the loop takes no more tasks. */
    static void onLoop(ChannelHandlerContext ctx, Runnable finish, Runnable stopped) {
        try {
            ctx.executor().execute(finish);
        } catch (RejectedExecutionException e) {
            stopped.run();
        }
    }
}
