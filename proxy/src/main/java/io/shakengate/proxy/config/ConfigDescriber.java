package io.shakengate.proxy.config;

import io.shakengate.proxy.stir.AuthenticationPolicy;

/** The configuration in words, as {@code check-config} and the start line print it. */
public final class ConfigDescriber {
    private ConfigDescriber() {
    }

    /** An address as host:port ([v6]:port), without the slash of InetSocketAddress.toString(). */
    public static String hostPort(java.net.InetSocketAddress a) {
        String h = a.getAddress() == null ? a.getHostString() : io.netty.util.NetUtil.toAddressString(a.getAddress());
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    static String describe(ApplianceConfig c) {
        StringBuilder b = new StringBuilder();
        b.append("eventLoops: ").append(c.eventLoops()).append('\n');
        b.append("dnsRefreshSeconds: ").append(c.dnsRefreshSeconds() == 0 ? "0 (named next hops resolved once)"
                : Integer.toString(c.dnsRefreshSeconds())).append('\n');
        b.append("metrics: ").append(c.metricsListen() == null ? "off" : "http://" + hostPort(c.metricsListen()) + "/metrics").append('\n');
        b.append("routeLookups: ").append(c.routeLookups().remembered()).append(" names remembered, ")
                .append(c.routeLookups().atOnce()).append(" at once, at most ").append(c.routeLookups().maxSeconds())
                .append(" s\n");
        b.append("sipStreams: at most ").append(c.streams().maxConnections()).append(" connections per point, ")
                .append(c.streams().maxPerAddress()).append(" per address, closed after ").append(c.streams().idleSeconds())
                .append(" s idle or ").append(c.streams().messageSeconds()).append(" s on one message\n");
        b.append("sipUdp: ").append(c.udp().watchedHops() == 0 ? "next hops unwatched" : "up to " + c.udp().watchedHops()
                + " next hops watched per point for ICMP port-unreachable, " + c.udp().unreachableWaitMillis()
                + " ms wait").append('\n');
        b.append("stop: drain until ").append(c.stop().quietMillis()).append(" ms quiet, at most ").append(c.stop().maxSeconds())
                .append(" s\n");
        if (c.signing() != null) {
            b.append("signing: ").append(c.signing().identities().size()).append(" identit")
                    .append(c.signing().identities().size() == 1 ? "y" : "ies").append(", default ")
                    .append(c.signing().defaultIdentityConfig().name()).append(", default attestation ").append(c.signing().attestation())
                    .append(c.signing().calledFromRequestUri() ? ", called number from the Request-URI" : "")
                    .append(", delivery ")
                    .append(c.signing().delivery().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(", ")
                    .append(c.signing().rules().size()).append(" rule(s)\n");
            for (AuthenticationPolicy.Rule r : c.signing().rules()) {
                b.append("  rule ").append(r.name()).append(": source ").append(r.source() == null ? "any" : r.source())
                        .append(", calling ").append(r.callingPrefix().isEmpty() ? "any" : r.callingPrefix())
                        .append(", called ").append(r.calledPrefix().isEmpty() ? "any" : r.calledPrefix())
                        .append(r.more().trunk() == null ? "" : ", trunk " + r.more().trunk())
                        .append(r.more().callingList() == null ? "" : ", calling list " + r.more().callingList())
                        .append(r.more().calledList() == null ? "" : ", called list " + r.more().calledList())
                        .append(r.more().fromHeaders() ? ", Attestation-Info/Origination-Id trusted" : "")
                        .append(" -> ").append(r.action())
                        .append(r.more().identity() == null ? "" : " as " + r.more().identity()).append('\n');
            }
            for (io.shakengate.proxy.config.IdentityConfig i : c.signing().identities()) {
                b.append("  identity ").append(i.name()).append(": key ").append(i.key()).append(", x5u ")
                        .append(i.x5u()).append(i.chain() == null ? ", chain published elsewhere" : ", chain " + i.chain())
                        .append(i.scope() == null ? "" : ", scope " + io.shakengate.proxy.identity.IdentityLoader
                                .text(i.scope()))
                        .append(i.acme() == null ? "" : ", renewed by ACME at " + i.acme().directory()).append('\n');
            }
            if (c.signing().repository() != null) {
                b.append("  certificate repository: https://").append(ConfigDescriber.hostPort(
                        c.signing().repository().listen())).append(", certificate ")
                        .append(c.signing().repository().certificate()).append('\n');
            }
        }
        if (c.verification() != null) {
            b.append("verification: trust anchors ").append(c.verification().trustAnchors()).append(", budget ")
                    .append(c.verification().budgetMillis()).append(" ms, freshness ")
                    .append(c.verification().freshnessSeconds()).append(" s, policy ").append(c.verification().policyText())
                    .append(c.verification().allowPrivateHosts() ? ", private x5u hosts ALLOWED" : "")
                    .append(c.verification().crl() == null ? ", no CRL" : ", CRL " + c.verification().crl().file()
                            + (c.verification().crl().url() == null ? "" : " fetched from " + c.verification().crl().url()
                            + " every " + c.verification().crl().refreshSeconds() + " s")).append('\n');
        }
        if (c.cps() != null) {
            if (c.cps().serve() != null) {
                b.append("cps: serving as ").append(c.cps().serve().audience()).append(", retention ")
                        .append(c.cps().serve().retentionSeconds()).append(" s, at most ").append(c.cps().serve().maxPassportsPerCall())
                        .append(" PASSporTs per call and ").append(c.cps().serve().maxCalls()).append(" calls, store ")
                        .append(c.cps().serve().redis() == null ? "memory" : "redis " + c.cps().serve().redis() + " keys "
                                + c.cps().serve().keyPrefix() + "*").append('\n');
            }
            if (!c.cps().targets().isEmpty()) {
                b.append("cps: using ").append(c.cps().targets().stream().map(t -> t.base()
                                + (t.sealTo() == null ? "" : " (sealed)")).toList())
                        .append(" as SPC ").append(c.cps().spc()).append(", retention ").append(c.cps().retentionSeconds())
                        .append(" s, timeout ").append(c.cps().timeoutMillis()).append(" ms, retrieve ")
                        .append(c.cps().retrieve().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                        .append(c.cps().openKey() == null ? "" : ", opening sealed PASSporTs with " + c.cps().openKey())
                        .append('\n');
            }
        }
        if (c.tls() != null) {
            b.append("tls: certificate ").append(c.tls().certificate()).append(", next hops trusted by ").append(c.tls().trust())
                    .append('\n');
        }
        if (c.api() != null) {
            b.append("api: ").append(c.api().tlsCertificate() == null ? "http://" : "https://").append(hostPort(c.api().listen()))
                    .append(c.api().clientCa() != null ? ", mutual TLS" : "")
                    .append(c.api().bearerTokens() != null ? ", bearer tokens " + c.api().bearerTokens() : "")
                    .append(", bodies up to ").append(c.api().maxBodyBytes()).append(" bytes\n");
            if (c.console() != null) {
                b.append("console: ").append(c.api().tlsCertificate() == null ? "http://" : "https://")
                        .append(hostPort(c.api().listen())).append("/console/, users ").append(c.console().users())
                        .append(", audit log ").append(c.console().auditLog()).append('\n');
            }
        }
        for (ApplianceConfig.Point p : c.points()) {
            b.append("listening point ").append(p.name()).append(": ").append(p.transport()).append(' ')
                    .append(hostPort(p.listen())).append(", ").append(p.role().name().toLowerCase(java.util.Locale.ROOT))
                    .append(p.redirect() ? " (redirect)" : " -> " + (p.nextHopName() != null ? p.nextHopName() + " = " : "")
                            + (p.failover() != null ? String.join(" then ", p.failover().hops().stream()
                                    .map(ConfigDescriber::hostPort).toList()) + " (a refusing one held down "
                                    + p.failover().holdDownSeconds() + " s)"
                            : p.nextHop() == null ? "-" : hostPort(p.nextHop()))
                            + (p.nextHopTransport() != null ? " over " + p.nextHopTransport() : "")
                            + (p.udpPoint() != null ? " from " + p.udpPoint() : "")
                            + (p.recordRoute() ? ", Record-Route" : "")
                            + (p.largeOverTcp() ? " (over tcp above 1300 bytes)" : "")).append('\n');
            for (io.shakengate.proxy.ListeningPoint.Route r : p.routes()) {
                b.append("  from ").append(r.source()).append(" -> ")
                        .append(r.nextHopName() != null ? r.nextHopName() + " = " : "").append(r.nextHop()).append('\n');
            }
        }
        FamilyConfig.Settings f = c.family();
        b.append("passports: at most ").append(f.maxPerCall()).append(" per call, div ").append(f.signDiv() ? "signed" : "not signed")
                .append(", ").append(f.branding().size()).append(" branded number(s), priorities ")
                .append(f.priorities().isEmpty() ? "none" : f.priorities()).append(", rcd shown as ")
                .append(f.presentRcd().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .append(f.checkRcdi() ? ", rcdi checked" : ", rcdi NOT checked").append('\n');
        b.append("blocking: ").append(f.blocking().networkBlocked() ? "603+ (Network Blocked), location "
                + f.blocking().location() : "603 Decline (no redress contact, no 603+)").append('\n');
        b.append("emergency: numbers ").append(new java.util.TreeSet<>(f.emergency().numbers())).append(", urns ")
                .append(f.emergency().urns()).append(" (never refused)\n");
        return b.toString();
    }
}
