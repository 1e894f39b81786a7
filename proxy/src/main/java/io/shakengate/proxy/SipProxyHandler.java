package io.shakengate.proxy;

import io.shakengate.proxy.stir.VerificationPolicy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.AsciiString;
import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipHeaderName;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipMessageChecks;
import io.shakengate.codec.SipMessageEditor;
import io.shakengate.codec.SipMethod;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.SipParseException;
import io.shakengate.codec.SipResponses;
import io.shakengate.codec.ViaHeader;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.stir.Authentication;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.transport.SipSender;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The SIP proxy front of one listening point: a stateless proxy (RFC 3261 section 16.11) that asks the STIR
 * services and carries out their answers. Requests go to the point's next hop with a pushed Via whose branch
 * is derived from the incoming one (so retransmissions and the CANCEL of an INVITE take the same branch) and
 * Max-Forwards decremented (483 at zero); responses go back by the next Via ({@code received}/{@code rport}
 * honoured). An INVITE on a SIGN point goes to the {@link io.shakengate.proxy.stir.AuthenticationService}
 * (its Identity header added, or 603 when blocked); on a VERIFY point to the
 * {@link io.shakengate.proxy.stir.VerificationService}, whose action it carries out (forwarded with verstat,
 * Reason and result headers, or answered); a verification waiting for a certificate holds the INVITE (not
 * the event loop) at most for the service's budget. Redirect points are {@link SipRedirectHandler}'s.
 *
 * <p>One instance per channel: it owns an editor. Runs on its channel's event loop only.
 */
final class SipProxyHandler extends SimpleChannelInboundHandler<SipMessage> {

    private final ListeningPoint point;
    private final java.util.function.Supplier<ServiceConfig> servicesNow;
    /** The services for the message being handled (read once per message: a reload swaps them between). */
    private ServiceConfig services;
    private final ProxyCounters counters;
    private final StageLatency latency;
    private final SipMessageEditor editor = new SipMessageEditor();
    private final SipAddresses addresses = new SipAddresses();
    private final SipSender sender;
    private final byte[][] identityBuffer = new byte[1][];
    /** INVITEs signed lately, so that a UDP retransmission goes on with the same Identity. */
    private final SignedRetransmissions signedLately = new SignedRetransmissions();

    private final Drain drain;
    /** Where requests go over a stream (TCP/TLS next hop, or large requests), or null. */
    private final SipSender stream;
    /** Verifications waiting for a certificate or the CPS (retransmissions of their INVITEs are absorbed). */
    private final SipVerifyWait waiting;
    /** For a UDP point: answers responses whose request came over a TCP/TLS connection (or null). */
    private SipSender streamResponses;
    /** The address in the Via of requests that leave over {@link #stream} from another point's socket, or null. */
    private String streamAdvertised;

    /** Responses whose next Via is TCP or TLS go through {@code sender} (the proxy's inbound connections). */
    SipProxyHandler respondingOverStreams(SipSender sender) {
        this.streamResponses = sender;
        return this;
    }

    /** DNS names in Routes and Request-URIs after this point's Routes (null: such requests take the next hop). */
    private RouteNames routeNames;

    /** Names in Routes and Request-URIs of record-routed requests are looked up by {@code names}. */
    SipProxyHandler resolvingNames(RouteNames names) {
        this.routeNames = names;
        return this;
    }

    /** Requests over {@link #stream} carry {@code advertised} in their Via (null: this point's address). */
    SipProxyHandler sendingFrom(String advertised) {
        this.streamAdvertised = advertised;
        return this;
    }

    SipProxyHandler(ListeningPoint point, java.util.function.Supplier<ServiceConfig> services, ProxyCounters counters,
                    StageLatency latency, SipSender sender) {
        this(point, services, counters, latency, sender, new Drain());
    }

    SipProxyHandler(ListeningPoint point, java.util.function.Supplier<ServiceConfig> services, ProxyCounters counters,
                    StageLatency latency, SipSender sender, Drain drain) {
        this(point, services, counters, latency, sender, drain, null, new PendingInvites(100_000));
    }

    /**
     * A handler whose requests may leave over {@code stream} instead of {@code sender}: always when the point's
     * next hop transport is a stream, or for requests over {@link ListeningPoint#UDP_LIMIT_BYTES} when the point
     * sends large requests over TCP.
     */
    SipProxyHandler(ListeningPoint point, java.util.function.Supplier<ServiceConfig> services, ProxyCounters counters,
                    StageLatency latency, SipSender sender, Drain drain, SipSender stream, PendingInvites pending) {
        super(SipMessage.class, false);
        this.stream = stream;
        this.drain = drain;
        this.waiting = new SipVerifyWait(pending, drain, counters);
        this.sender = sender;
        this.point = point;
        this.servicesNow = services;
        this.counters = counters;
        this.latency = latency;
    }

    /** The end of a read batch: what was forwarded during it leaves now (one sendmmsg for UDP). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sender.flush(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SipMessage m) {
        services = servicesNow.get();
        if (drain.draining()) {
            drain.activity(); // only a drain reads it: no shared write per message in normal running
        }
        boolean handedOver = false;
        try {
            SipParseError bad = SipMessageChecks.check(m);
            if (bad != null) {
                if (m.isRequest() && bad.status() != 0 && SipResponses.canAnswer(m)) {
                    reply(ctx, m, SipResponses.forError(m, bad).build(ctx.alloc()));
                    counters.count(ProxyCounters.Event.REQUEST_REJECTED);
                } else {
                    counters.count(ProxyCounters.Event.RESPONSE_DROPPED);
                }
                return;
            }
            handedOver = m.isRequest() ? request(ctx, m, System.nanoTime()) : response(ctx, m);
        } catch (SipParseException e) {
            // a header read while handling (Date, Identity, PAI...) does not parse: answer with its reason
            counters.count(ProxyCounters.Event.REQUEST_REJECTED);
            if (!handedOver && m.isRequest() && e.error().status() != 0 && SipResponses.canAnswer(m)) {
                reply(ctx, m, SipResponses.forError(m, e.error()).build(ctx.alloc()));
            }
        } finally {
            if (!handedOver) {
                m.release();
            }
        }
    }

    /** Returns true if {@code m} was handed to an asynchronous continuation (which releases it). */
    private boolean request(ChannelHandlerContext ctx, SipMessage m, long start) {
        if (SipAnswers.optionsForUs(m, point.advertised())) {
            counters.count(ProxyCounters.Event.OPTIONS_ANSWERED);
            reply(ctx, m, SipAnswers.options(m, drain.draining()).build(ctx.alloc()));
            return false;
        }
        if (m.maxForwards() == 0) {
            counters.count(ProxyCounters.Event.TOO_MANY_HOPS);
            reply(ctx, m, SipResponses.to(m, 483, "Too Many Hops").build(ctx.alloc()));
            return false;
        }
        String branch = SipAddresses.branch(m, point.name());
        for (ViaHeader via : m.vias()) {
            if (SipAddresses.isOurs(via, point.advertised()) && branch.equals(via.branch())) {
                counters.count(ProxyCounters.Event.LOOP_DETECTED);
                reply(ctx, m, SipResponses.to(m, 482, "Loop Detected").build(ctx.alloc()));
                return false;
            }
        }
        if (drain.draining() && m.method() == SipMethod.INVITE && m.to().tag() == null) {
            // stopping: a new call goes to the softswitch's alternate route; dialogs in progress go on
            counters.count(ProxyCounters.Event.REQUEST_REJECTED);
            reply(ctx, m, SipResponses.to(m, 503, "Service Unavailable").header("Retry-After", "30")
                    .build(ctx.alloc()));
            return false;
        }
        if (m.method() == SipMethod.INVITE && point.role() == Role.SIGN && services.authentication().signs()) {
            SignedRetransmissions.Signed again = sender.reliable() ? null : signedLately.get(branch, m.callId());
            if (again != null) {
                // a UDP retransmission of an INVITE signed here: the same request goes on, not signed again
                counters.count(ProxyCounters.Event.RETRANSMISSION_SAME_IDENTITY);
                forward(ctx, m, branch, again.identity(), again.family(), null);
                return false;
            }
            Authentication a = services.authentication().authenticate(
                    SipCallFacts.signing(m, point.name(), services.authentication().policy()), counters, identityBuffer);
            if (a.outcome() == Authentication.Outcome.BLOCKED) {
                reply(ctx, m, SipAnswers.answer(m, a.refusal(), counters).build(ctx.alloc()));
                return false;
            }
            AsciiString identity = a.signed() && a.inBand()
                    ? new AsciiString(a.identity(), 0, a.identityLength(), true) : null;
            if (a.signed() && !sender.reliable()) {
                signedLately.put(branch, m.callId(), identity, a.family());
            }
            forward(ctx, m, branch, identity, a.family(), null);
            latency.record(StageLatency.Stage.SIGN, System.nanoTime() - start);
            return false;
        }
        if (m.method() == SipMethod.INVITE && point.role() == Role.VERIFY && services.verification() != null) {
            CompletableFuture<Verification> f = services.verification().verify(
                    SipCallFacts.verifying(m, point.name()), ctx.executor(), counters);
            ServiceConfig asked = services;
            return waiting.await(ctx, m, sender, f, v -> {
                services = asked; // the services the verification began with, also when it ends later
                act(ctx, m, branch, v);
                latency.record(StageLatency.Stage.VERIFY, System.nanoTime() - start);
            });
        }
        forward(ctx, m, branch, null, java.util.List.of(), null);
        latency.record(StageLatency.Stage.FORWARD, System.nanoTime() - start);
        return false;
    }

    /** Carries out the verification policy's action: the INVITE forwarded (marked as it says) or answered. */
    private void act(ChannelHandlerContext ctx, SipMessage m, String branch, Verification v) {
        if (SipAnswers.refuses(v)) {
            reply(ctx, m, SipAnswers.answer(m, v.refusal(), counters).build(ctx.alloc()));
            return;
        }
        forward(ctx, m, branch, null, java.util.List.of(), v);
    }

    /**
     * {@code m} as forwarded: our Via (over {@code transport}), Max-Forwards, the Identity headers signed here,
     * and on a verify point the verification's marks ({@link SipMarks}).
     */
    private ByteBuf encodeForward(ChannelHandlerContext ctx, SipMessage m, String branch, String transport,
                                  String advertised, AsciiString identity, List<String> family, Verification v,
                                  int popRoutes, SipSender out) {
        editor.reset(m);
        if (popRoutes > 0) {
            editor.popFirstValues(SipHeaderName.ROUTE, popRoutes);
        }
        if (out != null) {
            // RFC 3261 16.6 step 4; leaving over another transport (or address), RFC 5658's double Record-Route:
            // the lower one names the side the request came in on, the upper one the side it leaves on, so that
            // each end of the dialog reaches the proxy over its own transport
            // (edits at the same place keep the order they are made in: the upper one first)
            if (!out.viaTransport().equals(sender.viaTransport()) || !advertised.equals(point.advertised())) {
                editor.addHeaderFirst("Record-Route", recordRouteUri(advertised, out));
            }
            editor.addHeaderFirst("Record-Route", recordRouteUri(point.advertised(), sender));
        }
        if (sender.reliable() && m.sender() != null) {
            // RFC 3581: the response finds its way back to this connection by these
            editor.appendToTopVia(";received=" + m.sender().getAddress().getHostAddress() + ";rport="
                    + m.sender().getPort());
        }
        editor.pushVia("SIP/2.0/" + transport + " " + advertised + ";branch=" + branch);
        editor.decrementMaxForwards();
        if (identity != null) {
            editor.addHeader("Identity", identity);
        }
        for (int i = 0; i < family.size(); i++) {
            editor.addHeader("Identity", family.get(i));
        }
        if (point.role() == Role.VERIFY) {
            SipMarks.mark(editor, m, v, services.verificationPolicy(point.name()).resultHeaders(),
                    services.verification().family().presentRcd(), counters);
        }
        return editor.encode(ctx.alloc());
    }

    /** {@code <sip:hostPort;transport=tcp;lr>} for {@code over}'s transport (no parameter for UDP). */
    private static String recordRouteUri(String hostPort, SipSender over) {
        return "<sip:" + hostPort + (over.viaTransport().equals("UDP") ? ""
                : ";transport=" + over.viaTransport().toLowerCase(java.util.Locale.ROOT)) + ";lr>";
    }

    /** A route's next hop: as last resolved if DNS names it (no key text is built for an IP literal). */
    private InetSocketAddress routeHop(ListeningPoint.Route r, int index) {
        return r.nextHopName() == null ? r.nextHop()
                : services.nextHop(ListeningPoint.routeKey(point.name(), index), r.nextHop());
    }

    private void forward(ChannelHandlerContext ctx, SipMessage m, String branch, AsciiString identity,
                         List<String> family, Verification v) {
        boolean overStream = stream != null && point.nextHopTransport() != null;
        SipSender out = overStream ? stream : sender;
        int route = point.routeIndexFor(m.sender());
        InetSocketAddress hop = route >= 0 ? routeHop(point.routes().get(route), route)
                : point.failover() != null ? point.failover().pick(System.nanoTime())
                : services.nextHop(point.name(), point.nextHop());
        boolean configuredHop = true; // false once a Route or the Request-URI names the hop
        String outAdvertised = overStream && streamAdvertised != null ? streamAdvertised : point.advertised();
        boolean recordRoute = point.recordRoute() && m.method() == SipMethod.INVITE && m.to().tag() == null;
        int popRoutes = 0;
        if (point.recordRoute()) {
            // RFC 3261 16.4: the Routes naming this point are removed (two after a double Record-Route, RFC 5658);
            // loose routing goes to the next Route, else to the Request-URI: an IP literal, or a DNS name looked
            // up off the event loop (RouteNames)
            List<NameAddress> routes = m.routes();
            while (popRoutes < 2 && popRoutes < routes.size()
                    && (SipAddresses.names(routes.get(popRoutes).uri(), point.advertised())
                    || SipAddresses.names(routes.get(popRoutes).uri(), outAdvertised))) {
                popRoutes++;
            }
            if (popRoutes > 0) {
                io.shakengate.codec.SipUri next = routes.size() > popRoutes ? routes.get(popRoutes).uri()
                        : m.requestUri();
                InetSocketAddress target = addresses.literal(next);
                if (target == null && routeNames != null && next.host() != null) {
                    // a DNS name: remembered, or looked up off the event loop while the request waits
                    String hostPort = next.port() < 0 ? next.host() : next.host() + ":" + next.port();
                    String transport = out.viaTransport().toLowerCase(java.util.Locale.ROOT);
                    target = routeNames.known(hostPort, transport);
                    if (target == null) {
                        ByteBuf encoded = encodeForward(ctx, m, branch, out.viaTransport(), outAdvertised, identity,
                                family, v, popRoutes, recordRoute ? out : null);
                        forwardWhenLookedUp(ctx, m, encoded, out, routeNames.lookUp(hostPort, transport));
                        return;
                    }
                }
                if (target != null) {
                    hop = target;
                    configuredHop = false;
                }
            }
        }
        ByteBuf encoded = encodeForward(ctx, m, branch, out.viaTransport(), outAdvertised, identity, family, v,
                popRoutes, recordRoute ? out : null);
        if (!overStream && stream != null && point.largeOverTcp()
                && encoded.readableBytes() > ListeningPoint.UDP_LIMIT_BYTES) {
            // RFC 3261 section 18.1.1: too large for UDP; the same request with a TCP Via, over TCP
            encoded.release();
            out = stream;
            // one Record-Route naming the UDP side: the callee's requests, small, reach the point over UDP
            encoded = encodeForward(ctx, m, branch, out.viaTransport(), point.advertised(), identity, family, v,
                    popRoutes, recordRoute ? sender : null);
            counters.count(ProxyCounters.Event.SENT_OVER_TCP);
        }
        if (out.seesRefusals() && (out.reliable() || configuredHop) && m.method() != SipMethod.ACK
                && SipResponses.canAnswer(m)) {
            // a next hop that refuses the connection (or a UDP one whose port is unreachable, watched for the
            // point's configured next hops): the next address of a list, else a prompt 503 + Retry-After
            io.shakengate.proxy.transport.NextHopFailover failover = route < 0 && point.failover() != null
                    && point.failover().hops().contains(hop) ? point.failover() : null;
            sendAnswerable(ctx, m, encoded, out, hop, failover, 1);
        } else {
            out.sendRequest(ctx, encoded, hop);
        }
        counters.count(ProxyCounters.Event.REQUEST_FORWARDED);
    }

    /**
     * Sends {@code encoded} to {@code hop} (over a stream, or UDP to a watched hop); when the connection is refused
     * (the port unreachable), on to the next address
     * of {@code failover} (the {@code tries}-th so far), else answers 503 + Retry-After (counted).
     */
    private void sendAnswerable(ChannelHandlerContext ctx, SipMessage m, ByteBuf encoded, SipSender out,
                                InetSocketAddress hop, io.shakengate.proxy.transport.NextHopFailover failover,
                                int tries) {
        m.retain();
        drain.started();
        ByteBuf spare = failover != null && tries < failover.hops().size() ? encoded.retainedDuplicate() : null;
        out.sendRequest(ctx, encoded, hop, ok -> {
            try {
                if (ok) {
                    if (spare != null) {
                        spare.release();
                    }
                    return;
                }
                counters.refused(point.name(), io.shakengate.proxy.config.ConfigDescriber.hostPort(hop));
                InetSocketAddress next = failover == null ? null : failover.refused(hop, System.nanoTime());
                if (next != null && spare != null) {
                    counters.count(ProxyCounters.Event.NEXT_HOP_FAILED_OVER);
                    sendAnswerable(ctx, m, spare, out, next, failover, tries + 1);
                    out.flush(ctx); // outside a read batch: nothing else flushes it (a UDP sender leaves it written)
                    return;
                }
                if (spare != null) {
                    spare.release();
                }
                counters.count(ProxyCounters.Event.NEXT_HOP_UNREACHABLE);
                reply(ctx, m, SipResponses.to(m, 503, "Service Unavailable").header("Retry-After",
                        Integer.toString(NEXT_HOP_RETRY_AFTER_SECONDS)).build(ctx.alloc()));
                sender.flush(ctx);
            } finally {
                m.release();
                drain.finished();
            }
        });
    }

    /** The Retry-After of the 503 for a request whose next hop refused it. */
    static final int NEXT_HOP_RETRY_AFTER_SECONDS = 5;

    /**
     * Sends {@code encoded} when {@code lookup} completes (back on this event loop); a failed lookup, or none
     * because too many are under way ({@code lookup} null), answers 503 (an ACK is dropped), counted unroutable.
     */
    private void forwardWhenLookedUp(ChannelHandlerContext ctx, SipMessage m, ByteBuf encoded, SipSender out,
                                     java.util.concurrent.CompletableFuture<InetSocketAddress> lookup) {
        if (lookup == null) {
            encoded.release();
            unroutable(ctx, m);
            return;
        }
        m.retain();
        drain.started();
        lookup.whenComplete((address, error) -> {
            Runnable finish = () -> {
                try {
                    if (address != null) {
                        out.sendRequest(ctx, encoded, address);
                        counters.count(ProxyCounters.Event.REQUEST_FORWARDED);
                    } else {
                        encoded.release();
                        unroutable(ctx, m);
                    }
                } finally {
                    sender.flush(ctx); // outside a read batch: nothing else will flush it
                    out.flush(ctx);
                    m.release();
                    drain.finished();
                }
            };
            SipVerifyWait.onLoop(ctx, finish, () -> {
                encoded.release();
                m.release();
                drain.finished();
            });
        });
    }

    /** A request whose next hop cannot be found: 503 (RFC 3263 section 4.3), an ACK dropped; counted. */
    private void unroutable(ChannelHandlerContext ctx, SipMessage m) {
        counters.count(ProxyCounters.Event.UNROUTABLE);
        if (m.method() != SipMethod.ACK && SipResponses.canAnswer(m)) {
            reply(ctx, m, SipResponses.to(m, 503, "Service Unavailable").build(ctx.alloc()));
        }
    }

    private boolean response(ChannelHandlerContext ctx, SipMessage m) {
        List<ViaHeader> vias = m.vias();
        if (vias.size() < 2 || !SipAddresses.isOurs(vias.get(0), point.advertised())) {
            counters.count(ProxyCounters.Event.RESPONSE_DROPPED);
            return false;
        }
        InetSocketAddress to = addresses.destination(vias.get(1));
        if (to == null) {
            counters.count(ProxyCounters.Event.UNROUTABLE);
            return false;
        }
        editor.reset(m).popVia();
        String next = vias.get(1).transport();
        SipSender back = streamResponses != null && ("TCP".equalsIgnoreCase(next) || "TLS".equalsIgnoreCase(next))
                ? streamResponses : sender;
        if (back.sendResponse(ctx, editor.encode(ctx.alloc()), to)) {
            counters.count(ProxyCounters.Event.RESPONSE_FORWARDED);
        } else {
            counters.count(ProxyCounters.Event.UNROUTABLE);
        }
        return false;
    }

    private void reply(ChannelHandlerContext ctx, SipMessage request, ByteBuf response) {
        sender.reply(ctx, request, response);
    }
}
