package io.shakengate.proxy.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The certificate repository ({@code signing.repository}): HTTPS on {@code listen} with the server
 * {@code certificate} (PEM chain) and {@code key}, serving each signing identity's chain at the path of its
 * x5u; a reload or a renewal changes what it serves, not where.
 */
public record RepositoryConfig(InetSocketAddress listen, Path certificate, Path key) {
}
