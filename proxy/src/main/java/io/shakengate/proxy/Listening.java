package io.shakengate.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opening a listener (a listening point, /metrics, the HTTP API) with a failure that names it: Netty's bind error
 * ({@code bind(..) failed with error(-98): Address already in use}, a checked exception its {@code sync()} throws
 * undeclared) becomes "WHAT cannot listen on udp ADDRESS: why (another process has it)".
 */
final class Listening {
    private Listening() {
    }

    /** What opens the listener. */
    interface Open<T> {
        T open() throws Exception;
    }

    /** {@code open}'s listener; a bind failure names {@code what}, its transport {@code kind} and {@code at}. */
    static <T> T open(String what, String kind, InetSocketAddress at, Open<T> open)
            throws IOException, InterruptedException {
        try {
            return open.open();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(what + " cannot listen on " + kind + " "
                    + io.shakengate.proxy.config.ConfigDescriber.hostPort(at) + ": " + e.getMessage()
                    + (String.valueOf(e.getMessage()).contains("in use") ? " (another process has it)" : ""), e);
        }
    }
}
