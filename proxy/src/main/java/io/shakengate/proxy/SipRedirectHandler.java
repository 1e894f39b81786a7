package io.shakengate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.AsciiString;
import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipMessageChecks;
import io.shakengate.codec.SipMessageEditor;
import io.shakengate.codec.SipMethod;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.SipParseException;
import io.shakengate.codec.SipParser;
import io.shakengate.codec.SipResponses;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.stir.Authentication;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.transport.SipSender;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The SIP redirect front of one listening point, as the commercial STIR services answer a softswitch: an
 * INVITE is answered, never forwarded. On a SIGN point: 302 with the Request-URI as Contact and the signed
 * {@code Identity} header, 404 when nothing is signed in band, 603 when a rule blocks the call. On a VERIFY
 * point: 302 with the P-Asserted-Identity marked with verstat (and the RFC 9410 Reason when the policy says
 * so), 404 when the policy leaves the call unchanged, or the policy's refusal. Other requests get 404 (an ACK
 * nothing); responses are dropped. New INVITEs while stopping get 503 + Retry-After.
 *
 * <p>The decisions are the STIR services'; this front only translates. One instance per channel; runs on its
 * channel's event loop only.
 */
final class SipRedirectHandler extends SimpleChannelInboundHandler<SipMessage> {
    private final ListeningPoint point;
    private final Supplier<ServiceConfig> services;
    private final ProxyCounters counters;
    private final StageLatency latency;
    private final SipSender sender;
    private final Drain drain;
    private final SipVerifyWait waiting;
    private final SipMessageEditor editor = new SipMessageEditor();
    private final byte[][] identityBuffer = new byte[1][];

    SipRedirectHandler(ListeningPoint point, Supplier<ServiceConfig> services, ProxyCounters counters,
                       StageLatency latency, SipSender sender, Drain drain, PendingInvites pending) {
        super(SipMessage.class, false);
        this.point = point;
        this.services = services;
        this.counters = counters;
        this.latency = latency;
        this.sender = sender;
        this.drain = drain;
        this.waiting = new SipVerifyWait(pending, drain, counters);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sender.flush(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SipMessage m) {
        boolean handedOver = false;
        try {
            SipParseError bad = SipMessageChecks.check(m);
            if (bad != null || !m.isRequest()) {
                if (bad != null && m.isRequest() && bad.status() != 0 && SipResponses.canAnswer(m)) {
                    reply(ctx, m, SipResponses.forError(m, bad));
                    counters.count(ProxyCounters.Event.REQUEST_REJECTED);
                } else {
                    counters.count(ProxyCounters.Event.RESPONSE_DROPPED);
                }
                return;
            }
            handedOver = request(ctx, m, System.nanoTime());
        } catch (SipParseException e) {
            counters.count(ProxyCounters.Event.REQUEST_REJECTED);
            if (!handedOver && e.error().status() != 0 && SipResponses.canAnswer(m)) {
                reply(ctx, m, SipResponses.forError(m, e.error()));
            }
        } finally {
            if (!handedOver) {
                m.release();
            }
        }
    }

    /** Returns true if {@code m} was handed to an asynchronous continuation (which releases it). */
    private boolean request(ChannelHandlerContext ctx, SipMessage m, long start) {
        if (m.method() == SipMethod.ACK) {
            return false;
        }
        if (m.method() == SipMethod.OPTIONS) {
            // a redirect point forwards nothing: every OPTIONS is a keep-alive for it
            counters.count(ProxyCounters.Event.OPTIONS_ANSWERED);
            reply(ctx, m, SipAnswers.options(m, drain.draining()));
            return false;
        }
        if (m.maxForwards() == 0) {
            counters.count(ProxyCounters.Event.TOO_MANY_HOPS);
            reply(ctx, m, SipResponses.to(m, 483, "Too Many Hops"));
            return false;
        }
        boolean invite = m.method() == SipMethod.INVITE;
        if (invite && drain.draining() && m.to().tag() == null) {
            counters.count(ProxyCounters.Event.REQUEST_REJECTED);
            reply(ctx, m, SipResponses.to(m, 503, "Service Unavailable").header("Retry-After", "30"));
            return false;
        }
        ServiceConfig s = services.get();
        if (invite && point.role() == Role.SIGN && s.authentication().signs()) {
            Authentication a = s.authentication().authenticate(
                    SipCallFacts.signing(m, point.name(), s.authentication().policy()), counters, identityBuffer);
            if (a.outcome() == Authentication.Outcome.BLOCKED) {
                reply(ctx, m, SipAnswers.answer(m, a.refusal(), counters));
            } else if (a.signed() && a.inBand()) {
                SipResponses resp = SipResponses.to(m, 302, "Moved Temporarily")
                        .header("Contact", "<" + m.requestUriString() + ">")
                        .header("Identity", new AsciiString(a.identity(), 0, a.identityLength(), true));
                for (String more : a.family()) {
                    resp.header("Identity", more);
                }
                reply(ctx, m, resp);
            } else {
                reply(ctx, m, SipResponses.to(m, 404, "Not Found"));
            }
            latency.record(StageLatency.Stage.SIGN, System.nanoTime() - start);
            return false;
        }
        if (invite && point.role() == Role.VERIFY && s.verification() != null) {
            CompletableFuture<Verification> f = s.verification().verify(SipCallFacts.verifying(m, point.name()),
                    ctx.executor(), counters);
            return waiting.await(ctx, m, sender, f, v -> {
                answer(ctx, m, v);
                latency.record(StageLatency.Stage.VERIFY, System.nanoTime() - start);
            });
        }
        reply(ctx, m, SipResponses.to(m, 404, "Not Found"));
        return false;
    }

    /** The verification's action as a redirect answer. */
    private void answer(ChannelHandlerContext ctx, SipMessage m, Verification v) {
        if (SipAnswers.refuses(v)) {
            reply(ctx, m, SipAnswers.answer(m, v.refusal(), counters));
        } else if (v.action() == VerificationPolicy.Action.FORWARD_UNCHANGED) {
            reply(ctx, m, SipResponses.to(m, 404, "Not Found"));
        } else {
            SipResponses resp = SipResponses.to(m, 302, "Moved Temporarily")
                    .header("Contact", "<" + m.requestUriString() + ">")
                    .header("P-Asserted-Identity", markedIdentity(ctx, m, v.verstat()));
            if (v.action() == VerificationPolicy.Action.FORWARD_WITH_REASON && v.reason() != null) {
                resp.header("Reason", v.reason());
            }
            reply(ctx, m, resp);
        }
    }

    /** The caller's identity (PAI, else From) with {@code verstat} on its number, as the 302 carries it. */
    private String markedIdentity(ChannelHandlerContext ctx, SipMessage m, String verstat) {
        NameAddress target = SipCallFacts.caller(m);
        editor.reset(m);
        editor.setNumberParam(target, "verstat", verstat);
        ByteBuf edited = editor.encode(ctx.alloc());
        try {
            SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
            byte[] bytes = ByteBufUtil.getBytes(edited);
            int end = parser.parse(bytes, 0, bytes.length, true);
            SipMessage marked = parser.build(Unpooled.wrappedBuffer(bytes), 0, end);
            try {
                return marked.pAssertedIdentities().isEmpty() ? "<" + marked.from().uriString() + ">"
                        : marked.pAssertedIdentities().get(0).toString();
            } finally {
                marked.release();
            }
        } finally {
            edited.release();
        }
    }

    private void reply(ChannelHandlerContext ctx, SipMessage request, SipResponses response) {
        sender.reply(ctx, request, response.build(ctx.alloc()));
    }
}
