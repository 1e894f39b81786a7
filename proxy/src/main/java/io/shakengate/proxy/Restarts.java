package io.shakengate.proxy;

import io.shakengate.proxy.config.ApplianceConfig;

import java.util.List;
import java.util.Objects;

/** What a reload cannot change: a configuration that changes it needs a restart. */
final class Restarts {
    /** What the refusal says. */
    static final String WHAT = "listening points, eventLoops, dnsRefreshSeconds, metrics, tls, api and cps.serve change"
            + " only with a restart";

    private Restarts() {
    }

    /** Whether {@code next} changes what only a restart applies, against {@code now}. */
    static boolean needed(ApplianceConfig next, ApplianceConfig now) {
        return !samePoints(next.points(), now.points()) || next.eventLoops() != now.eventLoops()
                || next.dnsRefreshSeconds() != now.dnsRefreshSeconds()
                || !Objects.equals(next.metricsListen(), now.metricsListen())
                || !Objects.equals(next.api(), now.api())
                || !Objects.equals(next.tls(), now.tls())
                || !Objects.equals(next.cps() == null ? null : next.cps().serve(),
                        now.cps() == null ? null : now.cps().serve());
    }

    /** Same listening points, a named next hop's current address aside. */
    private static boolean samePoints(List<ApplianceConfig.Point> a, List<ApplianceConfig.Point> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).sameButResolution(b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
