package io.shakengate.proxy;

import java.net.InetSocketAddress;

/**
 * A named UDP listening point: where it binds, the address it advertises in Via, what it does to INVITEs,
 * and where it sends requests. Addresses are IP literals (no DNS on the event loop).
 *
 * @param name       name used in logs and counters
 * @param bind       local address and port
 * @param advertised host:port written into the Via it pushes
 * @param role       sign, verify or forward
 * @param nextHop    where requests go
 */
public record ListeningPoint(String name, InetSocketAddress bind, String advertised, Role role,
                             InetSocketAddress nextHop) {
}
