package io.shakengate.proxy.config;

import io.shakengate.crypto.cache.CertificateCache;

import io.shakengate.proxy.config.ApplianceConfig.Cps;
import io.shakengate.proxy.config.ApplianceConfig.CpsServe;
import io.shakengate.proxy.config.ApplianceConfig.Crl;
import io.shakengate.proxy.config.ApplianceConfig.Verification;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.VerificationPolicy;
import org.snakeyaml.engine.v2.nodes.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shakengate.proxy.config.ApplianceConfig.address;
import static io.shakengate.proxy.config.ApplianceConfig.required;

/**
 * The readers of the STIR services' sections, {@code signing}, {@code verification} and {@code cps}, into
 * {@link ApplianceConfig}'s records; every error names its line.
 */
final class StirSections {
    private StirSections() {
    }

    /** A header name (RFC 3261 token), or null for an absent node. */
    private static String headerName(Node n) {
        if (n == null) {
            return null;
        }
        String v = YamlNodes.scalar(n, "a header name").trim();
        if (v.isEmpty() || !v.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-.!%*_+`'~".indexOf(c) >= 0)) {
            throw YamlNodes.error(n, "not a SIP header name: '" + v + "'");
        }
        return v;
    }

    /** {@code base} with the outcome-class actions of mapping {@code n} (named {@code what}) applied. */
    private static VerificationPolicy policy(VerificationPolicy base, Node n, String what, StringBuilder text) {
        Set<String> classes = new HashSet<>();
        for (VerificationPolicy.OutcomeClass c : VerificationPolicy.OutcomeClass.values()) {
            classes.add(c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        }
        VerificationPolicy policy = base;
        for (Map.Entry<String, Node> e : YamlNodes.mapping(n, what, classes).entrySet()) {
            VerificationPolicy.OutcomeClass c = VerificationPolicy.OutcomeClass.valueOf(
                    e.getKey().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            VerificationPolicy.Action a = YamlNodes.choice(e.getValue(), "the action for " + e.getKey(),
                    VerificationPolicy.Action.class);
            policy = policy.with(c, a);
            text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(a);
        }
        return policy;
    }

    /** A rule's number list file, read now (and at every reload); an unreadable or bad file names the line. */
    static io.shakengate.proxy.stir.NumberList numberList(Node n, String what) {
        Path file = Path.of(YamlNodes.scalar(n, what));
        try {
            return io.shakengate.proxy.stir.NumberList.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw YamlNodes.error(n, what + ": no such file: " + file);
        } catch (java.io.IOException e) {
            throw YamlNodes.error(n, what + ": " + e.getMessage());
        }
    }

    static ApplianceConfig.Cps cps(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "cps", Set.of("serve", "targets", "spc", "retentionSeconds",
                "timeoutMillis", "retrieve", "openKey"));
        CpsServe serve = null;
        if (m.containsKey("serve")) {
            Node sn = m.get("serve");
            Map<String, Node> sm = YamlNodes.mapping(sn, "cps.serve", Set.of("audience", "retentionSeconds",
                    "maxPassportsPerCall", "maxCalls", "store", "redis", "keyPrefix"));
            String store = sm.containsKey("store") ? YamlNodes.scalar(sm.get("store"), "cps.serve.store") : "memory";
            if (!store.equals("memory") && !store.equals("redis")) {
                throw YamlNodes.error(sm.get("store"), "cps.serve.store must be memory or redis, was '" + store + "'");
            }
            if (store.equals("redis") != sm.containsKey("redis")) {
                throw YamlNodes.error(sn, "cps.serve.redis (the Redis address) goes with store: redis, and only with it");
            }
            serve = new CpsServe(YamlNodes.scalar(required(sm, "audience", sn, "cps.serve"), "cps.serve.audience"),
                    sm.containsKey("retentionSeconds") ? YamlNodes.integer(sm.get("retentionSeconds"),
                            "cps.serve.retentionSeconds", 1, 60) : 15,
                    sm.containsKey("maxPassportsPerCall") ? YamlNodes.integer(sm.get("maxPassportsPerCall"),
                            "cps.serve.maxPassportsPerCall", 1, 64) : 8,
                    sm.containsKey("maxCalls") ? YamlNodes.integer(sm.get("maxCalls"), "cps.serve.maxCalls", 1,
                            10_000_000) : 100_000,
                    sm.containsKey("redis") ? address(sm.get("redis"), "cps.serve.redis") : null,
                    sm.containsKey("keyPrefix") ? YamlNodes.scalar(sm.get("keyPrefix"), "cps.serve.keyPrefix")
                            : "shakengate:cps:");
        }
        List<io.shakengate.proxy.cps.CpsClient.Target> targets = new ArrayList<>();
        if (m.containsKey("targets")) {
            for (Node t : YamlNodes.sequence(m.get("targets"), "cps.targets")) {
                Map<String, Node> tm = YamlNodes.mapping(t, "a cps target", Set.of("url", "audience", "sealTo"));
                String url = YamlNodes.scalar(required(tm, "url", t, "cps target"), "cps target url");
                java.net.URI u;
                try {
                    u = new java.net.URI(url);
                } catch (java.net.URISyntaxException e) {
                    throw YamlNodes.error(tm.get("url"), "cps target url is not a URL: '" + url + "'");
                }
                boolean loopbackHttp = "http".equals(u.getScheme()) && u.getHost() != null
                        && (u.getHost().equals("127.0.0.1") || u.getHost().equals("[::1]") || u.getHost().equals("localhost"));
                if (!"https".equals(u.getScheme()) && !loopbackHttp) {
                    throw YamlNodes.error(tm.get("url"), "cps target url must be https (http only on loopback), was '"
                            + url + "'");
                }
                targets.add(new io.shakengate.proxy.cps.CpsClient.Target(u, tm.containsKey("audience")
                        ? YamlNodes.scalar(tm.get("audience"), "cps target audience") : u.getHost(),
                        tm.containsKey("sealTo") ? sealingKey(tm.get("sealTo")) : null));
            }
        }
        if (serve == null && targets.isEmpty()) {
            throw YamlNodes.error(n, "cps: set serve (run a CPS here) and/or targets (the CPSs to use)");
        }
        String spc = null;
        if (!targets.isEmpty()) {
            spc = YamlNodes.scalar(required(m, "spc", n, "cps"), "cps.spc");
        }
        return new Cps(serve, List.copyOf(targets), spc,
                m.containsKey("retentionSeconds") ? YamlNodes.integer(m.get("retentionSeconds"), "cps.retentionSeconds",
                        1, 60) : 15,
                m.containsKey("timeoutMillis") ? YamlNodes.integer(m.get("timeoutMillis"), "cps.timeoutMillis", 50,
                        10_000) : 1000,
                m.containsKey("retrieve") ? YamlNodes.choice(m.get("retrieve"), "cps.retrieve",
                        io.shakengate.proxy.stir.Retrieval.class)
                        : targets.isEmpty() ? io.shakengate.proxy.stir.Retrieval.OFF
                        : io.shakengate.proxy.stir.Retrieval.WHEN_NO_IDENTITY,
                m.containsKey("openKey") ? Path.of(YamlNodes.scalar(m.get("openKey"), "cps.openKey")) : null);
    }

    /**
     * The P-256 public key a CPS target's PASSporTs are sealed to (RFC 8816): a PUBLIC KEY PEM, or a certificate
     * whose key it is; an unreadable or unsuitable file is an error naming the line.
     */
    private static java.security.interfaces.ECPublicKey sealingKey(Node n) {
        Path file = Path.of(YamlNodes.scalar(n, "cps target sealTo"));
        try {
            String pem = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
            java.security.PublicKey key = pem.contains("-----BEGIN CERTIFICATE-----")
                    ? io.shakengate.crypto.x509.Pem.readCertificates(file).get(0).getPublicKey()
                    : io.shakengate.crypto.sign.SigningKeys.publicKey(pem, file.toString());
            if (!(key instanceof java.security.interfaces.ECPublicKey ec)
                    || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw YamlNodes.error(n, "cps target sealTo: " + file + " holds no EC P-256 public key");
            }
            return ec;
        } catch (java.io.IOException e) {
            throw YamlNodes.error(n, "cps target sealTo: cannot read " + file + ": " + e);
        } catch (IllegalArgumentException e) {
            throw YamlNodes.error(n, "cps target sealTo: " + e.getMessage());
        }
    }

    static ApplianceConfig.Verification verification(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "verification", Set.of("trustAnchors", "budgetMillis",
                "freshnessSeconds", "allowPrivateHosts", "policy", "crl", "pointPolicies", "resultHeaders", "fetchTrust",
                "x5uPorts", "decisionLog", "cache"));
        Crl crl = null;
        if (m.containsKey("crl")) {
            Node c = m.get("crl");
            Map<String, Node> cm = YamlNodes.mapping(c, "verification.crl", Set.of("file", "signerChain", "root", "url",
                    "refreshSeconds"));
            java.net.URI url = null;
            if (cm.containsKey("url")) {
                String u = YamlNodes.scalar(cm.get("url"), "verification.crl.url");
                try {
                    url = new java.net.URI(u);
                } catch (java.net.URISyntaxException e) {
                    throw YamlNodes.error(cm.get("url"), "verification.crl.url is not a URL: '" + u + "'");
                }
                boolean loopbackHttp = "http".equals(url.getScheme()) && url.getHost() != null
                        && (url.getHost().equals("127.0.0.1") || url.getHost().equals("localhost"));
                if (!"https".equals(url.getScheme()) && !loopbackHttp) {
                    throw YamlNodes.error(cm.get("url"), "verification.crl.url must be https (http only on loopback)");
                }
            }
            crl = new Crl(Path.of(YamlNodes.scalar(required(cm, "file", c, "verification.crl"), "verification.crl.file")),
                    Path.of(YamlNodes.scalar(required(cm, "signerChain", c, "verification.crl"),
                            "verification.crl.signerChain")),
                    Path.of(YamlNodes.scalar(required(cm, "root", c, "verification.crl"), "verification.crl.root")),
                    url, cm.containsKey("refreshSeconds") ? YamlNodes.integer(cm.get("refreshSeconds"),
                            "verification.crl.refreshSeconds", 60, 86_400) : 3600);
        }
        StringBuilder text = new StringBuilder();
        VerificationPolicy base = VerificationPolicy.defaults();
        if (m.containsKey("resultHeaders")) {
            Map<String, Node> h = YamlNodes.mapping(m.get("resultHeaders"), "verification.resultHeaders",
                    Set.of("attestation", "spc", "origid", "div", "rcd"));
            base = base.withResultHeaders(new VerificationPolicy.ResultHeaders(headerName(h.get("attestation")),
                    headerName(h.get("spc")), headerName(h.get("origid")), headerName(h.get("div")),
                    headerName(h.get("rcd"))));
            text.append("result headers ").append(h.keySet());
        }
        VerificationPolicy policy = m.containsKey("policy")
                ? policy(base, m.get("policy"), "verification.policy", text)
                : base;
        Map<String, VerificationPolicy> pointPolicies = new java.util.LinkedHashMap<>();
        if (m.containsKey("pointPolicies")) {
            for (Map.Entry<String, Node> e : YamlNodes.mapping(m.get("pointPolicies"), "verification.pointPolicies",
                    null).entrySet()) {
                StringBuilder t = new StringBuilder();
                pointPolicies.put(e.getKey(), policy(policy, e.getValue(), "verification.pointPolicies." + e.getKey(), t));
                text.append(text.length() == 0 ? "" : "; ").append("at ").append(e.getKey()).append(": ").append(t);
            }
        }
        return new Verification(Path.of(YamlNodes.scalar(required(m, "trustAnchors", n, "verification"),
                "verification.trustAnchors")),
                m.containsKey("budgetMillis") ? YamlNodes.integer(m.get("budgetMillis"), "budgetMillis", 50, 30_000) : 1500,
                m.containsKey("freshnessSeconds") ? YamlNodes.integer(m.get("freshnessSeconds"), "freshnessSeconds", 5,
                        3600) : 60,
                m.containsKey("allowPrivateHosts") && YamlNodes.bool(m.get("allowPrivateHosts"), "allowPrivateHosts"),
                policy, text.length() == 0 ? "all forward-verstat" : text.toString(), crl, Map.copyOf(pointPolicies),
                m.containsKey("fetchTrust") ? Path.of(YamlNodes.scalar(m.get("fetchTrust"), "verification.fetchTrust"))
                        : null, x5uPorts(m.get("x5uPorts")), decisionLog(m.get("decisionLog"), "verification.decisionLog"),
                cache(m.get("cache")));
    }

    /**
     * The x5u certificate cache: every bound a setting, defaults those of {@link CertificateCache.Config#DEFAULT}
     * (ATIS-1000074 asks for at least 24 h; a lab may go lower).
     */
    private static CertificateCache.Config cache(Node n) {
        CertificateCache.Config d = CertificateCache.Config.DEFAULT;
        if (n == null) {
            return d;
        }
        Map<String, Node> m = YamlNodes.mapping(n, "verification.cache", Set.of("maxEntries", "minTtlSeconds",
                "maxTtlSeconds", "failureTtlSeconds", "refreshAheadSeconds", "breakerFailures", "breakerOpenSeconds"));
        long min = seconds(m, "minTtlSeconds", d.minTtlMillis(), 1, 30 * 86_400);
        long max = seconds(m, "maxTtlSeconds", d.maxTtlMillis(), 1, 30 * 86_400);
        if (max < min) {
            throw YamlNodes.error(m.containsKey("maxTtlSeconds") ? m.get("maxTtlSeconds") : m.get("minTtlSeconds"),
                    "verification.cache: maxTtlSeconds (" + max / 1000 + ") is below minTtlSeconds (" + min / 1000 + ")");
        }
        return new CertificateCache.Config(m.containsKey("maxEntries") ? YamlNodes.integer(m.get("maxEntries"),
                "verification.cache.maxEntries", 1, 10_000_000) : d.maxEntries(), min, max,
                seconds(m, "failureTtlSeconds", d.failureTtlMillis(), 1, 3600),
                seconds(m, "refreshAheadSeconds", d.refreshAheadMillis(), 0, 86_400),
                m.containsKey("breakerFailures") ? YamlNodes.integer(m.get("breakerFailures"),
                        "verification.cache.breakerFailures", 1, 1000) : d.breakerFailures(),
                seconds(m, "breakerOpenSeconds", d.breakerOpenMillis(), 1, 3600));
    }

    /** {@code key} of {@code m} in seconds (between min and max), as milliseconds; {@code dflt} when absent. */
    private static long seconds(Map<String, Node> m, String key, long dflt, int min, int max) {
        return m.containsKey(key) ? 1000L * YamlNodes.integer(m.get(key), "verification.cache." + key, min, max) : dflt;
    }

    /** A decisionLog section ({@code what}): which decisions get a journal line, at most how many a second. */
    static io.shakengate.proxy.journal.DecisionLog.Settings decisionLog(Node n, String what) {
        if (n == null) {
            return io.shakengate.proxy.journal.DecisionLog.Settings.DEFAULT;
        }
        Map<String, Node> m = YamlNodes.mapping(n, what, Set.of("lines", "perSecond"));
        io.shakengate.proxy.journal.DecisionLog.Settings d = io.shakengate.proxy.journal.DecisionLog.Settings.DEFAULT;
        return new io.shakengate.proxy.journal.DecisionLog.Settings(m.containsKey("lines")
                ? YamlNodes.choice(m.get("lines"), what + ".lines",
                io.shakengate.proxy.journal.DecisionLog.Lines.class) : d.lines(),
                m.containsKey("perSecond") ? YamlNodes.integer(m.get("perSecond"), what + ".perSecond",
                        1, 100_000) : d.perSecond());
    }

    /** The ports an x5u may name: a list of 1 to 65535 (default 443 and 8443). */
    private static Set<Integer> x5uPorts(Node n) {
        if (n == null) {
            return Set.of(443, 8443);
        }
        Set<Integer> ports = new java.util.TreeSet<>();
        for (Node p : YamlNodes.sequence(n, "verification.x5uPorts")) {
            ports.add(YamlNodes.integer(p, "an x5u port", 1, 65535));
        }
        if (ports.isEmpty()) {
            throw YamlNodes.error(n, "verification.x5uPorts is empty: no x5u could be fetched");
        }
        return java.util.Collections.unmodifiableSet(ports);
    }

}
