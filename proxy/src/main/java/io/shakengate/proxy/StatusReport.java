package io.shakengate.proxy;

import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.passport.Json;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.transport.NextHopFailover;
import io.shakengate.proxy.transport.StreamGate;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@code GET /status} answers and {@code shakengate status} prints, as kamcmd or Asterisk's
 * {@code stir_shaken show} do: the appliance's version and uptime; each event loop's queued tasks and the
 * verifications waiting for a certificate; each listening point (transport, address,
 * role, next hop or hops with their hold-downs, open connections of a stream point); the counters that moved;
 * the x5u cache; the CPS targets; the last decisions ({@link io.shakengate.proxy.journal.DecisionLog#recent()}).
 * Built on the API's event loop when asked; reads only counters and volatile state.
 */
final class StatusReport implements Supplier<String> {
    private final Supplier<ApplianceConfig> config;
    private final ProxyServer server;
    private final Supplier<ServiceConfig> services;
    private final Map<String, NextHopFailover> failovers;
    private final String version;
    private final long startMillis = System.currentTimeMillis();

    StatusReport(Supplier<ApplianceConfig> config, ProxyServer server, Supplier<ServiceConfig> services,
                 Map<String, NextHopFailover> failovers, String version) {
        this.config = config;
        this.server = server;
        this.services = services;
        this.failovers = failovers;
        this.version = version;
    }

    @Override
    public String get() {
        ApplianceConfig c = config.get();
        StringBuilder b = new StringBuilder(4096).append("{\"version\":");
        Json.quote(b, version).append(",\"uptimeSeconds\":").append((System.currentTimeMillis() - startMillis) / 1000)
                .append(",\"transport\":");
        Json.quote(b, server.transports().describe()).append(",\"eventLoops\":[");
        int loop = 0;
        for (io.netty.util.concurrent.EventExecutor e : server.group()) {
            b.append(loop++ == 0 ? "" : ",").append("{\"pendingTasks\":").append(
                    e instanceof io.netty.util.concurrent.SingleThreadEventExecutor st ? st.pendingTasks() : -1).append('}');
        }
        b.append("],\"pendingVerifications\":").append(server.drain().pending()).append(",\"points\":[");
        long now = System.nanoTime();
        for (int i = 0; i < c.points().size(); i++) {
            ApplianceConfig.Point p = c.points().get(i);
            b.append(i == 0 ? "{" : ",{").append("\"name\":");
            Json.quote(b, p.name()).append(",\"transport\":\"").append(p.transport()).append("\",\"listen\":");
            Json.quote(b, hostPort(p.listen())).append(",\"role\":\"")
                    .append(p.role().name().toLowerCase(Locale.ROOT)).append("\",\"redirect\":").append(p.redirect());
            NextHopFailover f = failovers.get(p.name());
            b.append(",\"nextHops\":[");
            if (!p.redirect()) {
                if (f == null) {
                    b.append("{\"address\":");
                    Json.quote(b, hostPort(services.get().nextHop(p.name(), p.nextHop()))).append('}');
                } else {
                    for (int h = 0; h < f.hops().size(); h++) {
                        InetSocketAddress a = f.hops().get(h);
                        b.append(h == 0 ? "{" : ",{").append("\"address\":");
                        Json.quote(b, hostPort(a)).append(",\"heldDown\":").append(f.heldDown(a, now))
                                .append(",\"refused\":").append(server.counters().refusals(p.name(), hostPort(a))).append('}');
                    }
                }
            }
            b.append(']');
            for (StreamGate g : server.gates()) {
                if (g.point().equals(p.name())) {
                    b.append(",\"connections\":").append(g.open());
                }
            }
            b.append('}');
        }
        b.append("],\"counters\":{");
        boolean first = true;
        for (ProxyCounters.Event e : ProxyCounters.Event.values()) {
            long n = server.counters().get(e);
            if (n != 0) {
                b.append(first ? "" : ",").append('"').append(e.name().toLowerCase(Locale.ROOT)).append("\":").append(n);
                first = false;
            }
        }
        b.append('}');
        ServiceConfig s = services.get();
        if (s.verification() != null && s.verification().verifier().certificates() instanceof CertificateCache cache) {
            b.append(",\"x5uCache\":{\"entries\":").append(cache.size()).append(",\"maxEntries\":")
                    .append(cache.config().maxEntries()).append('}');
        }
        if (c.cps() != null) {
            b.append(",\"cps\":{\"targets\":[");
            for (int i = 0; i < c.cps().targets().size(); i++) {
                Json.quote(b.append(i == 0 ? "" : ","), c.cps().targets().get(i).base().toString());
            }
            b.append("],\"serving\":").append(c.cps().serve() != null).append('}');
        }
        b.append(",\"recentDecisions\":[");
        java.util.List<String> recent = io.shakengate.proxy.journal.DecisionLog.recent();
        for (int i = 0; i < recent.size(); i++) {
            b.append(i == 0 ? "" : ",").append(recent.get(i)); // each a JSON object already
        }
        return b.append("]}").toString();
    }

    private static String hostPort(InetSocketAddress a) {
        return a == null ? "-" : io.shakengate.proxy.config.ConfigDescriber.hostPort(a);
    }
}
