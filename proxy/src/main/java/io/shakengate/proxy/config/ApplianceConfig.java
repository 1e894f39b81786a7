package io.shakengate.proxy.config;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.Role;
import io.shakengate.proxy.stir.VerificationPolicy;
import org.snakeyaml.engine.v2.nodes.Node;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The appliance's configuration file (YAML), validated when read: unknown keys are refused and every error
 * names its line. Addresses are IP literals with a port ({@code 192.0.2.10:5060}, {@code [2001:db8::1]:5060}).
 *
 * <pre>
 * eventLoops: 2
 * dnsRefreshSeconds: 60             # next hops named by DNS are looked up again this often (0: never)
 * metrics: { listen: "127.0.0.1:9090" }
 * signing:
 *   key: /etc/shakengate/keys/signing-key.pem
 *   x5u: https://certs.example.net/sti/1234.pem
 *   attestation: A                 # when no rule matches
 *   rules:
 *     - { name: customers, source: 10.0.0.0/8, callingPrefixes: ["1215"], action: attest-a }
 *     - { name: premium, calledPrefixes: ["1900"], action: block }
 * verification:
 *   trustAnchors: /etc/shakengate/sti-ca
 *   budgetMillis: 1500
 *   freshnessSeconds: 60
 *   policy: { signature-failure: forward-with-reason, no-identity: forward-verstat }
 *   crl: { file: /etc/shakengate/crl/sti-pa.crl, signerChain: /etc/shakengate/crl/signer.pem,
 *          root: /etc/shakengate/crl/sti-pa-root.pem }
 * listeningPoints:
 *   - { name: to-carrier, transport: udp, listen: "192.0.2.10:5060", role: sign, nextHop: "198.51.100.7:5060" }
 * api:                              # the HTTP(S) signing/verification API (and the CPS, when served)
 *   listen: "127.0.0.1:8443"        # loopback by default
 *   tls: { certificate: /etc/shakengate/api/cert.pem, key: /etc/shakengate/api/key.pem,
 *          clientCa: /etc/shakengate/api/clients-ca.pem }   # clientCa: mutual TLS
 *   bearerTokens: /etc/shakengate/api/tokens               # one per line; this and/or clientCa
 *   maxBodyBytes: 16384
 *   idleSeconds: 60
 * </pre>
 *
 * @param eventLoops    event loop threads (default 2)
 * @param metricsListen loopback address of /metrics, or null
 * @param signing       the authentication service, or null
 * @param verification  the verification service, or null
 * @param points        the listening points
 * @param api           the HTTP API listener, or null
 * @param cps           out-of-band SHAKEN (a CPS served here and/or the CPSs used), or null
 * @param tls           the SIP TLS certificate and trusted CAs, or null
 * @param dnsRefreshSeconds the longest time between two lookups of a next hop named by DNS, off the event loops:
 *                      it is looked up again when its records' TTL runs out, or after this many seconds if
 *                      sooner or the TTL is not known (0: never again; default
 *                      {@value #DEFAULT_DNS_REFRESH_SECONDS})
 * @param routeLookups  the bounds of the lookups of DNS names in the Route or Request-URI of record-routed
 *                      requests
 * @param family        the PASSporT family, blocking and emergency settings ({@link FamilyConfig})
 * @param streams       the limits on accepted SIP connections ({@link StreamLimits})
 * @param console       the operator's web console ({@link ConsoleSection}), or null
 * @param udp           how UDP points watch their next hops for ICMP port-unreachable ({@link UdpWatchSection})
 */
public record ApplianceConfig(int eventLoops, InetSocketAddress metricsListen, Signing signing,
                              Verification verification, List<Point> points, Stop stop, Api api, Cps cps, Tls tls,
                              int dnsRefreshSeconds, RouteLookups routeLookups, FamilyConfig.Settings family,
                              StreamLimits.Limits streams, ConsoleSection.Settings console,
                              UdpWatchSection.Settings udp) {

    /** Default {@link #dnsRefreshSeconds()}. */
    public static final int DEFAULT_DNS_REFRESH_SECONDS = 60;

    /**
     * The address next hop {@code name} resolves to now for a point sending over {@code transport} (SRV, then
     * A/AAAA, as at start), with the smallest TTL of the records used (-1: not known); throws
     * IllegalArgumentException saying what failed. Blocks on DNS: never call it on an event loop.
     */
    public static NextHops.Resolved lookUpName(String name, String transport) {
        return NextHops.lookup(name, transport, dns);
    }

    /** A next hop named by DNS: where it is kept ({@code key}), its name, transport and address at start. */
    public record NamedHop(String key, String name, String transport, InetSocketAddress started) {
    }

    /** The next hops of this configuration named by DNS: each point's, then its routes' (by route key). */
    public List<NamedHop> namedHops() {
        List<NamedHop> out = new ArrayList<>();
        for (Point p : points) {
            if (p.nextHopName() != null) {
                out.add(new NamedHop(p.name(), p.nextHopName(),
                        p.nextHopTransport() != null ? p.nextHopTransport() : p.transport(), p.nextHop()));
            }
            for (int i = 0; i < p.routes().size(); i++) {
                io.shakengate.proxy.ListeningPoint.Route r = p.routes().get(i);
                if (r.nextHopName() != null) {
                    out.add(new NamedHop(io.shakengate.proxy.ListeningPoint.routeKey(p.name(), i), r.nextHopName(),
                            p.transport(), r.nextHop()));
                }
            }
        }
        return out;
    }

    /**
     * SIP over TLS for listening points with {@code transport: tls}: the appliance's certificate chain and key
     * (PEM), and the CAs (PEM) that next hops' certificates must chain to (they must also name the next hop's
     * address).
     */
    public record Tls(Path certificate, Path key, Path trust) {
    }

    /**
     * The HTTP API listener (and the CPS's, when one is served). Clients are authenticated by mutual TLS
     * ({@code clientCa}) and/or a bearer token from the {@code bearerTokens} file; at least one is required.
     */
    public record Api(InetSocketAddress listen, Path tlsCertificate, Path tlsKey, Path clientCa, Path bearerTokens,
                      int maxBodyBytes, int idleSeconds) {
    }

    /**
     * The graceful stop on SIGTERM: new INVITEs get 503 while the appliance waits for {@code quietMillis}
     * without traffic and no pending verification, at most {@code maxSeconds} (keep it below systemd's
     * TimeoutStopSec).
     */
    public record Stop(int quietMillis, int maxSeconds) {
        /** 2 s of quiet, at most 30 s. */
        public static final Stop DEFAULT = new Stop(2000, 30);
    }

    /**
     * Bounds of the lookups of DNS names met in the Route or Request-URI of record-routed requests: at most
     * {@code remembered} names kept (then all forgotten), at most {@code atOnce} lookups under way (a request
     * beyond gets 503), an answer kept at most {@code maxSeconds} (less when its TTL says so).
     */
    public record RouteLookups(int remembered, int atOnce, int maxSeconds) {
        /** 4,096 names, 64 at once, 60 s. */
        public static final RouteLookups DEFAULT = new RouteLookups(4096, 64, 60);
    }

    /**
     * The authentication service: its signing identities ({@code defaultIdentity} null: the first is the
     * default), rules, and the certificate repository serving the identities' chains (or null).
     */
    public record Signing(List<IdentityConfig> identities, String defaultIdentity, Attestation attestation,
                          List<AuthenticationPolicy.Rule> rules, AuthenticationPolicy.Delivery delivery,
                          String trunkHeader, boolean calledFromRequestUri, RepositoryConfig repository,
                          io.shakengate.proxy.journal.DecisionLog.Settings decisionLog) {
        /** The default identity. */
        public IdentityConfig defaultIdentityConfig() {
            for (IdentityConfig i : identities) {
                if (i.name().equals(defaultIdentity)) {
                    return i;
                }
            }
            return identities.get(0);
        }
    }

    /**
     * Out-of-band SHAKEN: the CPS this appliance serves on its API listener ({@code serve}, or null) and the
     * CPSs it publishes to and retrieves from ({@code targets}, possibly empty) as SPC {@code spc}.
     */
    public record Cps(CpsServe serve, List<io.shakengate.proxy.cps.CpsClient.Target> targets, String spc,
                      int retentionSeconds, int timeoutMillis, io.shakengate.proxy.stir.Retrieval retrieve,
                      Path openKey) {
    }

    /**
     * A CPS served here: its name in tokens' aud, retention, bounds, and its store: embedded (redis null) or
     * the Redis at {@code redis} under {@code keyPrefix}, which several CPS nodes may share.
     */
    public record CpsServe(String audience, int retentionSeconds, int maxPassportsPerCall, int maxCalls,
                           InetSocketAddress redis, String keyPrefix) {
    }

    /**
     * The verification service; {@code fetchTrust} the PEM CA certificates trusted for x5u HTTPS (null: the
     * system's), {@code x5uPorts} the ports an x5u URL may name (default 443 and 8443).
     */
    public record Verification(Path trustAnchors, int budgetMillis, int freshnessSeconds, boolean allowPrivateHosts,
                               VerificationPolicy policy, String policyText, Crl crl,
                               Map<String, VerificationPolicy> pointPolicies, Path fetchTrust, Set<Integer> x5uPorts,
                               io.shakengate.proxy.journal.DecisionLog.Settings decisionLog,
                               io.shakengate.crypto.cache.CertificateCache.Config cache) {
    }

    /**
     * The STI-PA revocation list (DER or PEM), the chain of its signer (PEM, signer first) and the STI-PA root
     * (PEM) it must lead to; checked when read and at every reload (a cron job that fetches it then sends SIGHUP
     * keeps it current).
     */
    public record Crl(Path file, Path signerChain, Path root, java.net.URI url, int refreshSeconds) {
        /** A CRL kept by the operator (no fetching). */
        public Crl(Path file, Path signerChain, Path root) {
            this(file, signerChain, root, null, 0);
        }

    }

    /** A listening point. */
    public record Point(String name, String transport, InetSocketAddress listen, String advertise, Role role,
                        InetSocketAddress nextHop, boolean redirect, List<io.shakengate.proxy.ListeningPoint.Route> routes,
                        String nextHopTransport, boolean largeOverTcp, String udpPoint, boolean recordRoute,
                        String nextHopName, Failover failover) {
        /**
         * True if {@code other} is this point up to where its named next hop resolves now: the same
         * configuration text, so a reload that found a new address for it changes nothing that needs a restart.
         */
        public boolean sameButResolution(Point other) {
            return resolvedAway().equals(other.resolvedAway());
        }

        /** This point with the addresses of its named next hops left out (their names stay). */
        private Point resolvedAway() {
            List<io.shakengate.proxy.ListeningPoint.Route> rs = new ArrayList<>();
            for (io.shakengate.proxy.ListeningPoint.Route r : routes) {
                rs.add(r.nextHopName() == null ? r
                        : new io.shakengate.proxy.ListeningPoint.Route(r.source(), null, r.nextHopName()));
            }
            // a name's SRV targets (its failover list) are resolution too
            return new Point(name, transport, listen, advertise, role, nextHopName == null ? nextHop : null, redirect,
                    rs, nextHopTransport, largeOverTcp, udpPoint, recordRoute, nextHopName,
                    nextHopName == null ? failover : null);
        }
    }

    /**
     * A next hop given as several addresses ({@code nextHop: [a, b, ...]}): a request goes to the first whose
     * hold-down is over; one that refuses the connection (TCP, TLS) is held down {@code holdDownSeconds} and the
     * request tries the next (RFC 3263 section 4.3), until none is left (then 503 + Retry-After).
     */
    public record Failover(List<InetSocketAddress> hops, int holdDownSeconds) {
        /** The hold-down when none is given. */
        public static final int DEFAULT_HOLD_DOWN_SECONDS = 30;

        /** Copies the list. */
        public Failover {
            hops = List.copyOf(hops);
        }
    }

    private static final Set<String> TOP = union(Set.of("eventLoops", "metrics", "signing", "verification",
            "listeningPoints", "stop", "api", "cps", "tls", "dnsRefreshSeconds", "routeLookups", "console"), union(FamilyConfig.KEYS,
            union(StreamLimits.KEYS, UdpWatchSection.KEYS)));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    /**
     * Reads and validates {@code yaml}; {@code source} names it in errors. Every error found is reported (a
     * section that fails is left out and the rest is still read), each with its line.
     */
    public static ApplianceConfig parse(String yaml, String source) {
        ConfigErrors errors = new ConfigErrors();
        ApplianceConfig c;
        try {
            c = read(YamlNodes.mapping(YamlNodes.parse(yaml, source), "the configuration", TOP), source, errors);
        } catch (ConfigException e) {
            errors.add(e);
            c = null;
        }
        if (errors.any()) {
            throw errors.all(source);
        }
        return c;
    }

    private static ApplianceConfig read(Map<String, Node> top, String source, ConfigErrors errors) {
        Integer loopsRead = errors.section(() -> top.containsKey("eventLoops")
                ? YamlNodes.integer(top.get("eventLoops"), "eventLoops", 1, 64) : 2);
        int loops = loopsRead == null ? 2 : loopsRead;
        InetSocketAddress metrics = errors.section(() -> {
            if (!top.containsKey("metrics")) {
                return null;
            }
            Map<String, Node> m = YamlNodes.mapping(top.get("metrics"), "metrics", Set.of("listen"));
            return address(required(m, "listen", top.get("metrics"), "metrics"), "metrics.listen");
        });
        Signing signing = top.containsKey("signing") ? errors.section(() -> SigningSections.signing(top.get("signing")))
                : null;
        boolean signingFailed = top.containsKey("signing") && signing == null;
        Verification verification = top.containsKey("verification")
                ? errors.section(() -> StirSections.verification(top.get("verification"))) : null;
        boolean verificationFailed = top.containsKey("verification") && verification == null;
        List<Point> points = new ArrayList<>();
        List<Node> pointNodes = new ArrayList<>();
        boolean pointFailed = false;
        Set<String> names = new HashSet<>();
        if (!top.containsKey("listeningPoints")) {
            errors.add(new ConfigException(source + ": listeningPoints is required"));
        } else {
            List<Node> nodes = errors.section(() -> YamlNodes.sequence(top.get("listeningPoints"), "listeningPoints"));
            for (Node n : nodes == null ? List.<Node>of() : nodes) {
                Point p = errors.section(() -> PointSection.point(n));
                if (p == null) {
                    pointFailed = true;
                    continue;
                }
                if (!names.add(p.name())) {
                    errors.add(YamlNodes.error(n, "two listening points are named '" + p.name() + "'"));
                } else if (p.role() == Role.SIGN && signing == null && !signingFailed) {
                    errors.add(YamlNodes.error(n, "listening point '" + p.name()
                            + "' signs, but there is no signing section"));
                } else if (p.role() == Role.VERIFY && verification == null && !verificationFailed) {
                    errors.add(YamlNodes.error(n, "listening point '" + p.name()
                            + "' verifies, but there is no verification section"));
                }
                points.add(p);
                pointNodes.add(n);
            }
            if (points.isEmpty() && !pointFailed && nodes != null) {
                errors.add(YamlNodes.error(top.get("listeningPoints"), "at least one listening point is needed"));
            }
        }
        for (int i = 0; i < points.size(); i++) {
            String up = points.get(i).udpPoint();
            if (up != null && !pointFailed
                    && points.stream().noneMatch(q -> q.name().equals(up) && q.transport().equals("udp"))) {
                errors.add(YamlNodes.error(pointNodes.get(i), "udpPoint '" + up + "' is no udp listening point"));
            }
        }
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (p.recordRoute() && p.nextHopTransport() != null && !pointFailed
                    && points.stream().noneMatch(q -> isTwin(p, q))) {
                // RFC 5658: the upper Record-Route sends the far side's requests back over the other transport
                String udp = p.transport().equals("udp") ? p.name() : p.udpPoint();
                errors.add(YamlNodes.error(pointNodes.get(i), "listening point '" + p.name() + "' record-routes and"
                        + " sends over " + p.nextHopTransport() + ": the far side's requests come back over "
                        + p.nextHopTransport() + " to " + p.listen().getAddress().getHostAddress() + ":"
                        + p.listen().getPort() + ", so a " + p.nextHopTransport() + " point must listen there"
                        + " with nextHopTransport: " + p.transport() + (p.transport().equals("udp")
                        ? ", udpPoint: " + udp : "") + " and recordRoute: true"
                        + (p.transport().equals("udp") ? "" : " (the udp point '" + udp + "' itself)")));
            }
        }
        if (verification != null && !pointFailed) {
            for (String name : verification.pointPolicies().keySet()) {
                if (!names.contains(name)) {
                    errors.add(YamlNodes.error(top.get("verification"), "verification.pointPolicies names '" + name
                            + "', which is no listening point"));
                }
            }
        }
        Stop stopRead = errors.section(() -> {
            if (!top.containsKey("stop")) {
                return Stop.DEFAULT;
            }
            Map<String, Node> m = YamlNodes.mapping(top.get("stop"), "stop", Set.of("quietMillis", "maxSeconds"));
            return new Stop(m.containsKey("quietMillis") ? YamlNodes.integer(m.get("quietMillis"), "stop.quietMillis",
                    0, 60_000) : Stop.DEFAULT.quietMillis(),
                    m.containsKey("maxSeconds") ? YamlNodes.integer(m.get("maxSeconds"), "stop.maxSeconds", 0, 600)
                            : Stop.DEFAULT.maxSeconds());
        });
        Stop stop = stopRead == null ? Stop.DEFAULT : stopRead;
        Api api = top.containsKey("api") ? errors.section(() -> api(top.get("api"))) : null;
        boolean apiFailed = top.containsKey("api") && api == null;
        Cps cps = top.containsKey("cps") ? errors.section(() -> StirSections.cps(top.get("cps"))) : null;
        if (cps != null && cps.serve() != null && ((api == null && !apiFailed)
                || (verification == null && !verificationFailed))) {
            errors.add(YamlNodes.error(top.get("cps"), "cps.serve needs an api section (it listens there) and a "
                    + "verification section (its trust anchors check the requesters' certificates)"));
        }
        if (cps != null && !cps.targets().isEmpty() && signing == null && !signingFailed) {
            errors.add(YamlNodes.error(top.get("cps"), "cps.targets needs a signing section (CPS tokens are signed "
                    + "with the SHAKEN key)"));
        }
        Tls tls = errors.section(() -> {
            if (!top.containsKey("tls")) {
                return null;
            }
            Node t = top.get("tls");
            Map<String, Node> tm = YamlNodes.mapping(t, "tls", Set.of("certificate", "key", "trust"));
            return new Tls(Path.of(YamlNodes.scalar(required(tm, "certificate", t, "tls"), "tls.certificate")),
                    Path.of(YamlNodes.scalar(required(tm, "key", t, "tls"), "tls.key")),
                    Path.of(YamlNodes.scalar(required(tm, "trust", t, "tls"), "tls.trust")));
        });
        boolean tlsFailed = top.containsKey("tls") && tls == null;
        for (int i = 0; i < points.size(); i++) {
            if ((points.get(i).transport().equals("tls") || "tls".equals(points.get(i).nextHopTransport()))
                    && tls == null && !tlsFailed) {
                errors.add(YamlNodes.error(pointNodes.get(i), "listening point '" + points.get(i).name()
                        + "' uses tls, but there is no tls section"));
            }
        }
        Integer dnsRead = errors.section(() -> top.containsKey("dnsRefreshSeconds")
                ? YamlNodes.integer(top.get("dnsRefreshSeconds"), "dnsRefreshSeconds", 0, 86400)
                : DEFAULT_DNS_REFRESH_SECONDS);
        RouteLookups lookups = errors.section(() -> {
            if (!top.containsKey("routeLookups")) {
                return RouteLookups.DEFAULT;
            }
            Map<String, Node> m = YamlNodes.mapping(top.get("routeLookups"), "routeLookups",
                    Set.of("remembered", "atOnce", "maxSeconds"));
            return new RouteLookups(m.containsKey("remembered") ? YamlNodes.integer(m.get("remembered"),
                    "routeLookups.remembered", 1, 1_000_000) : RouteLookups.DEFAULT.remembered(),
                    m.containsKey("atOnce") ? YamlNodes.integer(m.get("atOnce"), "routeLookups.atOnce", 1, 10_000)
                            : RouteLookups.DEFAULT.atOnce(),
                    m.containsKey("maxSeconds") ? YamlNodes.integer(m.get("maxSeconds"), "routeLookups.maxSeconds",
                            1, 86_400) : RouteLookups.DEFAULT.maxSeconds());
        });
        FamilyConfig.Settings family = errors.section(() -> FamilyConfig.parse(top));
        if (!signingFailed) {
            errors.section(() -> FamilyConfig.checkServed(top.get("blocking"), family, signing));
        }
        StreamLimits.Limits streams = errors.section(() -> StreamLimits.parse(top));
        UdpWatchSection.Settings udp = errors.section(() -> UdpWatchSection.parse(top));
        ConsoleSection.Settings console = !top.containsKey("console") ? null
                : errors.section(() -> ConsoleSection.read(top.get("console"), api, apiFailed));
        if (errors.any()) {
            return null;
        }
        return new ApplianceConfig(loops, metrics, signing, verification, List.copyOf(points), stop, api, cps, tls,
                dnsRead, lookups, family, streams, console, udp);
    }

    /**
     * Whether {@code q} takes the far side's in-dialog requests for {@code p} (which record-routes across
     * transports): on the same address, over {@code p}'s outgoing transport, sending back over {@code p}'s
     * incoming one (through the udp point of the pair), record-routing too.
     */
    private static boolean isTwin(Point p, Point q) {
        return q != p && q.recordRoute() && q.listen().equals(p.listen())
                && q.transport().equals(p.nextHopTransport()) && p.transport().equals(q.nextHopTransport())
                && (q.transport().equals("udp") ? p.udpPoint() != null && p.udpPoint().equals(q.name())
                : q.udpPoint() != null && q.udpPoint().equals(p.name()));
    }

    static Node required(Map<String, Node> m, String key, Node parent, String what) {
        Node n = m.get(key);
        if (n == null) {
            throw YamlNodes.error(parent, what + "." + key + " is required");
        }
        return n;
    }

    private static Api api(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "api", Set.of("listen", "tls", "bearerTokens", "maxBodyBytes",
                "idleSeconds"));
        InetSocketAddress listen = m.containsKey("listen") ? address(m.get("listen"), "api.listen")
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443);
        Path cert = null;
        Path key = null;
        Path clientCa = null;
        if (m.containsKey("tls")) {
            Map<String, Node> t = YamlNodes.mapping(m.get("tls"), "api.tls", Set.of("certificate", "key", "clientCa"));
            cert = Path.of(YamlNodes.scalar(required(t, "certificate", m.get("tls"), "api.tls"), "api.tls.certificate"));
            key = Path.of(YamlNodes.scalar(required(t, "key", m.get("tls"), "api.tls"), "api.tls.key"));
            clientCa = t.containsKey("clientCa") ? Path.of(YamlNodes.scalar(t.get("clientCa"), "api.tls.clientCa")) : null;
        }
        Path tokens = m.containsKey("bearerTokens") ? Path.of(YamlNodes.scalar(m.get("bearerTokens"), "api.bearerTokens"))
                : null;
        if (tokens == null && clientCa == null) {
            throw YamlNodes.error(n, "api: clients must be authenticated: set api.bearerTokens and/or api.tls.clientCa");
        }
        return new Api(listen, cert, key, clientCa, tokens,
                m.containsKey("maxBodyBytes") ? YamlNodes.integer(m.get("maxBodyBytes"), "api.maxBodyBytes", 1024,
                        1 << 20) : 16384,
                m.containsKey("idleSeconds") ? YamlNodes.integer(m.get("idleSeconds"), "api.idleSeconds", 1, 3600) : 60);
    }

    /** The DNS the next hops are resolved with (tests replace it). */
    static NextHops.Dns dns = NextHops.SYSTEM;

    /** "ip:port" or "[ipv6]:port", IP literals only. */
    static InetSocketAddress address(Node n, String what) {
        String v = YamlNodes.scalar(n, what).trim();
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? "" : v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean literal = !host.isEmpty()
                && (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
        try {
            int port = Integer.parseInt(v.substring(colon + 1));
            if (!literal || port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (NumberFormatException | java.net.UnknownHostException | StringIndexOutOfBoundsException e) {
            throw YamlNodes.error(n, what + " must be an IP address and port such as 192.0.2.10:5060, was '" + v + "'");
        }
    }

    /** The effective configuration, for the start-up log and check-config. */
    public String describe() {
        return ConfigDescriber.describe(this);
    }
}
