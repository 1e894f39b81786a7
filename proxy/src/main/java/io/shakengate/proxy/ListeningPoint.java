package io.shakengate.proxy;

import io.shakengate.proxy.stir.AuthenticationPolicy;

import java.net.InetSocketAddress;

/**
 * A named listening point: where it binds, the address it advertises in Via, what it does to INVITEs,
 * where it sends requests, and whether it proxies or redirects. Addresses are IP literals (no DNS on the
 * event loop).
 *
 * @param name       name used in logs and counters
 * @param bind       local address and port
 * @param advertised host:port written into the Via it pushes (null: the bound address)
 * @param role       sign, verify or forward
 * @param nextHop    where requests go (unused in redirect mode)
 * @param redirect   answer INVITEs instead of forwarding them, as the commercial services do: 302 with the
 *                   Identity header (sign) or the verstat-marked P-Asserted-Identity (verify), 404 for "no
 *                   action, route as usual", 603 to block
 * @param routes     next hops by the request's source, the first matching route wins (else {@code nextHop})
 * @param nextHopTransport for a UDP point: "tcp" or "tls" to send requests to the next hop over a stream
 *                   (responses come back on it and continue over UDP), or null for the point's own transport
 * @param largeOverTcp for a UDP point: a request larger than 1,300 bytes goes to the next hop over TCP (RFC
 *                   3261 section 18.1.1), which must listen for TCP on the same port
 * @param recordRoute add {@code Record-Route: <sip:advertised;lr>} to dialog-creating INVITEs, so that the
 *                   dialog's later requests come through this point; a request whose first Route names this point
 *                   has it removed and goes to the next Route, else to its Request-URI (RFC 3261 section 16.4)
 * @param failover   the next hop as several addresses tried in order (null: {@code nextHop} alone)
 */
public record ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role,
                             InetSocketAddress nextHop, boolean redirect, java.util.List<Route> routes,
                             String nextHopTransport, boolean largeOverTcp, boolean recordRoute,
                             io.shakengate.proxy.transport.NextHopFailover failover) {

    /** A point whose next hop is one address. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop,
                          boolean redirect, java.util.List<Route> routes, String nextHopTransport, boolean largeOverTcp,
                          boolean recordRoute) {
        this(name, bind, advertised, role, nextHop, redirect, routes, nextHopTransport, largeOverTcp, recordRoute, null);
    }

    /** A point without Record-Route. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop,
                          boolean redirect, java.util.List<Route> routes, String nextHopTransport, boolean largeOverTcp) {
        this(name, bind, advertised, role, nextHop, redirect, routes, nextHopTransport, largeOverTcp, false);
    }

    /** The size above which a request leaves a UDP point over TCP when {@link #largeOverTcp} (RFC 3261 18.1.1). */
    public static final int UDP_LIMIT_BYTES = 1300;

    /** A listening point that sends over its own transport. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop,
                          boolean redirect, java.util.List<Route> routes) {
        this(name, bind, advertised, role, nextHop, redirect, routes, null, false);
    }

    /** This point at {@code bound}, advertising {@code advert}. */
    ListeningPoint at(InetSocketAddress bound, String advert) {
        return new ListeningPoint(name, bound, advert, role, nextHop, redirect, routes, nextHopTransport, largeOverTcp,
                recordRoute, failover);
    }

    /**
     * Requests from {@code source} (an IP prefix, "address/bits") go to {@code nextHop}, which
     * {@code nextHopName} names by DNS (null for an IP literal).
     */
    public record Route(String source, InetSocketAddress nextHop, String nextHopName) {
        /** Validates the prefix now. */
        public Route {
            AuthenticationPolicy.inPrefix(java.net.InetAddress.getLoopbackAddress(), source);
        }

        /** A route to an IP literal. */
        public Route(String source, InetSocketAddress nextHop) {
            this(source, nextHop, null);
        }
    }

    /** The key under which {@link ServiceConfig#nextHops()} holds route {@code index}'s current address. */
    public static String routeKey(String point, int index) {
        return point + " route " + index;
    }

    /** A listening point without routes by source. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop,
                          boolean redirect) {
        this(name, bind, advertised, role, nextHop, redirect, java.util.List.of());
    }

    /** A proxying listening point. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop) {
        this(name, bind, advertised, role, nextHop, false);
    }

    /** The index of the first route whose source prefix holds {@code source}, or -1 if none does. */
    public int routeIndexFor(InetSocketAddress source) {
        if (source != null) {
            for (int i = 0; i < routes.size(); i++) {
                if (AuthenticationPolicy.inPrefix(source.getAddress(), routes.get(i).source())) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The next hop (as configured) of the first route whose source prefix holds {@code source}, or null. */
    public InetSocketAddress routeFor(InetSocketAddress source) {
        int i = routeIndexFor(source);
        return i < 0 ? null : routes.get(i).nextHop();
    }

    /** Where a request from {@code source} goes: the first route whose prefix holds it, else the next hop. */
    public InetSocketAddress nextHopFor(InetSocketAddress source) {
        InetSocketAddress routed = routeFor(source);
        return routed != null ? routed : nextHop;
    }
}
