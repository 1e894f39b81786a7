package io.shakengate.proxy;

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
 */
public record ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role,
                             InetSocketAddress nextHop, boolean redirect) {

    /** A proxying listening point. */
    public ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role, InetSocketAddress nextHop) {
        this(name, bind, advertised, role, nextHop, false);
    }
}
