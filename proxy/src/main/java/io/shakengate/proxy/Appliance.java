package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.VerificationService;
import java.util.Map;
import io.shakengate.proxy.stir.VerificationPolicy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.HttpCertificateFetcher;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.TrustAnchors;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.MetricsServer;
import io.shakengate.proxy.transport.Transports;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The appliance built from its configuration: the signer and the verifier (key, trust anchors, certificate
 * cache and fetcher), the listening points and the metrics endpoint. {@link #resolve} checks everything that
 * can fail (key file, trust anchors) before anything binds; {@link #close} stops all of it.
 */
public final class Appliance implements AutoCloseable {
    private final ProxyServer server;
    private final MetricsServer metrics;
    private final io.shakengate.proxy.http.HttpApiServer api;
    /** The API's bearer tokens, re-read at every reload. */
    private final java.util.concurrent.atomic.AtomicReference<List<String>> apiTokens;
    private final ExecutorService fetchers;
    /** The HTTP clients a reload keeps while their recipe is unchanged. */
    private final FetchClients fetchClients;
    private final List<InetSocketAddress> bound;
    /** The services every handler reads once per message; a reload swaps them in one step. */
    private final java.util.concurrent.atomic.AtomicReference<ServiceConfig> services;
    private volatile ApplianceConfig config;
    private io.shakengate.proxy.identity.IdentityOps identities;

    private Appliance(ProxyServer server, MetricsServer metrics, io.shakengate.proxy.http.HttpApiServer api,
                      java.util.concurrent.atomic.AtomicReference<List<String>> apiTokens, FetchClients clients,
                      List<InetSocketAddress> bound, java.util.concurrent.atomic.AtomicReference<ServiceConfig> services,
                      ApplianceConfig config) {
        this.server = server;
        this.metrics = metrics;
        this.api = api;
        this.apiTokens = apiTokens;
        this.fetchers = clients.executor();
        this.fetchClients = clients;
        this.bound = bound;
        this.services = services;
        this.config = config;
    }

    /**
     * Applies {@code next}: keys, x5u, authentication rules, trust anchors, verification policy, budget and
     * freshness change at once for every following message; nothing is swapped if anything fails (the error
     * says why and the running configuration stays). Listening points and metrics need a restart: a reload
     * that changes them is refused. The API's bearer-token file is re-read.
     */
    public synchronized void reload(ApplianceConfig next) throws IOException {
        if (Restarts.needed(next, config)) {
            throw new IllegalArgumentException(Restarts.WHAT);
        }
        identities.check(next);
        // named next hops as the reloaded file's lookups found them (the points started with older addresses)
        ServiceConfig resolved = ServiceAssembly.resolve(next, fetchClients, services.get()).withNextHops(namedNextHops(next));
        List<String> tokens = apiTokens(next.api());
        services.set(resolved);
        identities.reloaded(next);
        apiTokens.set(tokens);
        transportLimits(server, next);
        // a named next hop's SRV targets as this reading found them (a name that had one target at start: restart)
        for (ApplianceConfig.Point p : next.points()) {
            io.shakengate.proxy.transport.NextHopFailover f = failovers.get(p.name());
            if (f != null && p.nextHopName() != null && p.failover() != null) {
                f.replace(p.failover().hops());
            }
        }
        config = next;
    }

    /** The failover of each point whose next hop is a list (of addresses, or a name's SRV targets). */
    private java.util.Map<String, io.shakengate.proxy.transport.NextHopFailover> failovers = java.util.Map.of();

    private volatile CrlFetcher crlFetcher;
    /** What GET /status answers (null without an api section). */
    private java.util.function.Supplier<String> status;

    /** The configuration in force. */
    public ApplianceConfig config() {
        return config;
    }

    /** The API listener (null without an api section) and its status report, for the console. */
    io.shakengate.proxy.http.HttpApiServer api() {
        return api;
    }

    java.util.function.Supplier<String> statusReport() {
        return status;
    }

    private static String transportMetrics(ProxyServer server,
                                           java.util.Map<String, io.shakengate.proxy.transport.NextHopFailover> all) {
        StringBuilder b = new StringBuilder();
        io.shakengate.proxy.transport.StreamGate.render(b, server.gates());
        io.shakengate.proxy.transport.NextHopFailover.render(b, all);
        return b.toString();
    }


    /** The route lookups' bounds, the stream limits and the UDP watch settings (start and reload). */
    private static void transportLimits(ProxyServer server, ApplianceConfig c) {
        server.routeNames().limits(c.routeLookups().remembered(), c.routeLookups().atOnce(),
                c.routeLookups().maxSeconds());
        server.streamLimits(c.streams());
        server.udpWatch(c.udp());
    }

    private static java.util.Map<String, InetSocketAddress> namedNextHops(ApplianceConfig c) {
        java.util.Map<String, InetSocketAddress> hops = new java.util.HashMap<>();
        for (ApplianceConfig.NamedHop h : c.namedHops()) {
            hops.put(h.key(), h.started());
        }
        return hops;
    }

    /** When each named next hop is next looked up ({@link System#nanoTime()}), by key; guarded by this. */
    private final java.util.Map<String, Long> lookUpAt = new java.util.HashMap<>();

    /**
     * Looks every named next hop (a point's, a route's) up again (on the fetcher threads, never an event loop)
     * and swaps the changed addresses in for the following requests; a failed lookup keeps the last address,
     * says why and is counted ({@code next_hop_lookup_failed}). Returns how many next hops changed.
     */
    public synchronized int refreshNextHops() {
        return refreshNextHops(true);
    }

    /**
     * As {@link #refreshNextHops()} for the next hops whose records' TTL ran out (at most {@code dnsRefreshSeconds}
     * after their last lookup, at least 1 s; {@code dnsRefreshSeconds} when the TTL is not known or the lookup
     * failed); the appliance's timer calls it every second.
     */
    public synchronized int refreshDueNextHops() {
        return refreshNextHops(false);
    }

    private int refreshNextHops(boolean all) {
        ServiceConfig now = services.get();
        java.util.Map<String, InetSocketAddress> hops = new java.util.HashMap<>(now.nextHops());
        int changed = 0;
        long t = System.nanoTime();
        long most = Math.max(1, config.dnsRefreshSeconds());
        for (ApplianceConfig.NamedHop h : config.namedHops()) {
            Long due = lookUpAt.get(h.key());
            if (!all && due != null && t - due < 0) {
                continue;
            }
            InetSocketAddress was = now.nextHop(h.key(), h.started());
            io.shakengate.proxy.config.NextHops.Resolved is;
            try {
                is = ApplianceConfig.lookUpName(h.name(), h.transport());
            } catch (IllegalArgumentException e) {
                lookUpAt.put(h.key(), t + java.util.concurrent.TimeUnit.SECONDS.toNanos(most));
                server.counters().count(ProxyCounters.Event.NEXT_HOP_LOOKUP_FAILED);
                System.err.println("next hop of " + h.key() + " (" + h.name() + ") stays " + was + ": "
                        + e.getMessage());
                continue;
            }
            long seconds = is.ttl() < 0 ? most : Math.max(1, Math.min(is.ttl(), most));
            lookUpAt.put(h.key(), t + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds));
            if (!is.address().equals(was)) {
                hops.put(h.key(), is.address());
                changed++;
                server.counters().count(ProxyCounters.Event.NEXT_HOP_CHANGED);
                System.out.println("next hop of " + h.key() + " (" + h.name() + ") is now " + is.address() + ", was "
                        + was + (is.ttl() < 0 ? "" : " (TTL " + is.ttl() + " s)"));
            }
        }
        if (changed > 0) {
            // a reload in between holds this lock: the services read here are still the ones in force
            services.set(now.withNextHops(hops));
        }
        return changed;
    }

    /** Applies the running configuration again (a fetched CRL); a failure keeps the services and says why. */
    private void reapply() {
        try {
            reload(config);
        } catch (IOException | RuntimeException e) {
            System.err.println("CRL fetched but not applied, the running configuration stays: " + e.getMessage());
        }
    }

    /**
     * Fetches the STI-PA CRL now (as the timer does); true if it changed and was applied. False without a
     * configured URL. A failure says why and changes nothing.
     */
    public boolean refreshCrlNow() throws IOException, InterruptedException {
        CrlFetcher f = crlFetcher;
        if (f == null || !f.fetch()) {
            return false;
        }
        reload(config);
        return true;
    }

    /** The services in force. */
    public ServiceConfig services() {
        return services.get();
    }

    /** The API's bearer tokens: one per line of the file, blank lines and '#' comments skipped. */
    private static List<String> apiTokens(ApplianceConfig.Api a) throws IOException {
        if (a == null || a.bearerTokens() == null) {
            return List.of();
        }
        List<String> tokens = ServiceAssembly.readFile("api.bearerTokens", () -> java.nio.file.Files.readAllLines(a.bearerTokens()))
                .stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (tokens.isEmpty()) {
            throw new IOException("api.bearerTokens: " + a.bearerTokens() + " holds no token");
        }
        for (String t : tokens) {
            if (t.length() < 16 || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new IOException("api.bearerTokens: " + a.bearerTokens()
                        + ": tokens are at least 16 printable ASCII characters without spaces");
            }
        }
        return tokens;
    }

    /** A PEM file's bytes as a stream (read and closed here); an I/O error names the setting. */
    private static java.io.InputStream pem(String setting, java.nio.file.Path file) throws IOException {
        return new java.io.ByteArrayInputStream(ServiceAssembly.readFile(setting, () -> java.nio.file.Files.readAllBytes(file)));
    }

    /** The SIP TLS server and client contexts, or nulls; errors name the setting. Read at start only. */
    private static io.netty.handler.ssl.SslContext[] sipTls(ApplianceConfig.Tls t) throws IOException {
        if (t == null) {
            return new io.netty.handler.ssl.SslContext[2];
        }
        try {
            return new io.netty.handler.ssl.SslContext[] {
                io.netty.handler.ssl.SslContextBuilder.forServer(
                        pem("tls.certificate", t.certificate()),
                        pem("tls.key", t.key())).build(),
                io.netty.handler.ssl.SslContextBuilder.forClient().trustManager(
                        pem("tls.trust", t.trust())).build()};
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new IOException("tls: " + e.getMessage(), e);
        }
    }

    /** The API listener's TLS context, or null for plain HTTP; errors name the setting. */
    private static io.netty.handler.ssl.SslContext apiTls(ApplianceConfig.Api a) throws IOException {
        if (a.tlsCertificate() == null) {
            return null;
        }
        try {
            io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forServer(
                    pem("api.tls.certificate", a.tlsCertificate()),
                    pem("api.tls.key", a.tlsKey()));
            if (a.clientCa() != null) {
                b.trustManager(pem("api.tls.clientCa", a.clientCa()))
                        .clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new IOException("api.tls: " + e.getMessage(), e);
        }
    }

    /** The services the configuration describes; errors name the file at fault. */
    public static ServiceConfig resolve(ApplianceConfig config, ExecutorService fetchers) throws IOException {
        ServiceConfig s = ServiceAssembly.resolve(config, fetchers, null);
        apiTokens(config.api()); // check-config reads every file that run reads
        return s;
    }

    /**
     * The CPS served on the API listener, or null: tokens checked against the verification section's trust
     * anchors, their x5u fetched by its rules (read at start; a reload does not change them), PASSporTs in the embedded store, swept every
     * second on an event loop.
     */
    private static io.shakengate.proxy.cps.CpsServer cpsServer(ApplianceConfig config, FetchClients clients,
                                                               ProxyServer server) throws IOException {
        if (config.cps() == null || config.cps().serve() == null) {
            return null;
        }
        ApplianceConfig.CpsServe serve = config.cps().serve();
        ApplianceConfig.Verification v = config.verification();
        // the CPS's clients' x5u: fetched like the verification section's (its fetchTrust, x5uPorts and cache)
        CertificateCache cache = new CertificateCache(v.cache(), ServiceAssembly.x5uFetcher(clients, v, true),
                System::currentTimeMillis);
        io.shakengate.crypto.cps.CpsTokens.Verifier tokens = new io.shakengate.crypto.cps.CpsTokens.Verifier(
                serve.audience(), v.freshnessSeconds(), 60, new PassportVerifier.Config(v.freshnessSeconds(),
                v.x5uPorts(), v.allowPrivateHosts(), false), cache,
                new ChainValidator(ServiceAssembly.readFile("verification.trustAnchors",
                        () -> TrustAnchors.load(v.trustAnchors(), List.of(), new Date())), ServiceAssembly.crl(v.crl())),
                () -> System.currentTimeMillis() / 1000, EcdsaProvider.selected());
        io.shakengate.proxy.cps.CpsStore store;
        if (serve.redis() != null) {
            store = new io.shakengate.proxy.cps.RedisCpsStore(server.group(), server.transports(), serve.redis(),
                    serve.maxPassportsPerCall(), serve.keyPrefix(), System::currentTimeMillis);
        } else {
            io.shakengate.proxy.cps.MemoryCpsStore memory = new io.shakengate.proxy.cps.MemoryCpsStore(
                    serve.maxPassportsPerCall(), serve.maxCalls(), System::currentTimeMillis);
            server.group().next().scheduleAtFixedRate(memory::sweep, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            store = memory;
        }
        return new io.shakengate.proxy.cps.CpsServer(tokens, store, new io.shakengate.proxy.cps.CpsServer.Limits(
                serve.maxPassportsPerCall(), serve.retentionSeconds(), v.freshnessSeconds()),
                () -> System.currentTimeMillis() / 1000);
    }

    /** Builds and starts everything; on any failure, stops what was started and rethrows. */
    public static Appliance start(ApplianceConfig config) throws IOException, InterruptedException {
        ExecutorService fetchers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "x5u-fetch");
            t.setDaemon(true);
            return t;
        });
        FetchClients clients = new FetchClients(fetchers);
        ProxyServer server = null;
        ApplianceConfig.Crl fetched = config.verification() == null ? null : config.verification().crl();
        CrlFetcher crlFetcher = fetched == null || fetched.url() == null ? null : new CrlFetcher(fetched);
        if (crlFetcher != null && !java.nio.file.Files.exists(fetched.file())) {
            try {
                crlFetcher.fetch(); // no CRL yet: the first one is needed before anything starts
            } catch (IOException e) {
                fetchers.shutdownNow();
                throw new IOException("verification.crl.file " + fetched.file() + " is missing and the fetch failed: "
                        + e.getMessage(), e);
            }
        }
        try {
            java.util.concurrent.atomic.AtomicReference<ServiceConfig> services =
                    new java.util.concurrent.atomic.AtomicReference<>(ServiceAssembly.resolve(config, clients, null));
            server = new ProxyServer(Transports.detect(), config.eventLoops(), SipDecoderConfig.DEFAULT);
            transportLimits(server, config);
            List<InetSocketAddress> bound = new java.util.ArrayList<>();
            io.netty.handler.ssl.SslContext[] tls = sipTls(config.tls());
            // UDP points first: a TCP/TLS point may send from one of their sockets
            java.util.Map<ApplianceConfig.Point, InetSocketAddress> at = new java.util.HashMap<>();
            java.util.Map<String, io.shakengate.proxy.transport.NextHopFailover> failovers =
                    new java.util.LinkedHashMap<>();
            for (boolean udpPass : new boolean[] {true, false}) {
                for (ApplianceConfig.Point p : config.points()) {
                    if (p.transport().equals("udp") != udpPass) {
                        continue;
                    }
                    io.shakengate.proxy.transport.NextHopFailover failover = p.failover() == null ? null
                            : new io.shakengate.proxy.transport.NextHopFailover(p.failover().hops(),
                            p.failover().holdDownSeconds());
                    if (failover != null) {
                        failovers.put(p.name(), failover);
                    }
                    ListeningPoint lp = new ListeningPoint(p.name(), p.listen(), p.advertise(), p.role(), p.nextHop(),
                            p.redirect(), p.routes(), p.nextHopTransport(), p.largeOverTcp(), p.recordRoute(), failover);
                    ProxyServer on = server;
                    at.put(p, Listening.open("listening point '" + p.name() + "'", p.transport(),
                            p.listen(), () -> switch (p.transport()) {
                                case "tcp" -> p.udpPoint() != null
                                        ? on.bindStreamToUdp(lp, services::get, null, p.udpPoint())
                                        : on.bindTcp(lp, services::get);
                                case "tls" -> p.udpPoint() != null
                                        ? on.bindStreamToUdp(lp, services::get, tls[0], p.udpPoint())
                                        : on.bindTls(lp, services::get, tls[0], tls[1]);
                                default -> on.bind(lp, services::get, tls[1]);
                            }));
                }
            }
            for (ApplianceConfig.Point p : config.points()) {
                bound.add(at.get(p));
            }
            java.util.concurrent.atomic.AtomicReference<List<String>> tokens =
                    new java.util.concurrent.atomic.AtomicReference<>(apiTokens(config.api()));
            io.shakengate.proxy.http.HttpApiServer api = null;
            io.shakengate.proxy.cps.CpsServer cps = cpsServer(config, clients, server);
            if (config.api() != null) {
                ApplianceConfig.Api a = config.api();
                ProxyServer sip = server;
                api = Listening.open("api.listen", "tcp", a.listen(), () -> new io.shakengate.proxy.http.HttpApiServer(
                        sip.group(), sip.transports(), a.listen(), apiTls(a), new io.shakengate.proxy.http.HttpApiServer
                        .Limits(tokens::get, a.maxBodyBytes(), a.idleSeconds()), services::get, cps, sip.counters()));
            }
            io.shakengate.proxy.http.HttpApiServer listener = api;
            ProxyServer sip = server;
            java.util.concurrent.atomic.AtomicReference<io.shakengate.proxy.identity.IdentityOps> ops =
                    new java.util.concurrent.atomic.AtomicReference<>();
            MetricsServer metrics = config.metricsListen() == null ? null : Listening.open("metrics.listen", "tcp",
                    config.metricsListen(), () -> new MetricsServer(sip.transports(), config.metricsListen(),
                            sip.counters(), sip.parseErrors(), sip.latency(),
                            () -> transportMetrics(sip, failovers) + (cps == null ? "" : cps.metrics())
                                    + (listener == null ? "" : listener.metrics())
                                    + (ops.get() == null ? "" : ops.get().metrics())));
            Appliance appliance = new Appliance(server, metrics, api, tokens, clients, List.copyOf(bound), services,
                    config);
            appliance.failovers = failovers;
            if (api != null) {
                String v = Appliance.class.getPackage().getImplementationVersion();
                appliance.status = new StatusReport(() -> appliance.config, server, services::get, failovers,
                        v == null ? "development" : v);
                api.status(appliance.status);
            }
            try {
                appliance.identities = io.shakengate.proxy.identity.IdentityOps.start(config, services,
                        server.transports(), appliance);
                ops.set(appliance.identities);
            } catch (IOException | RuntimeException e) {
                appliance.close();
                throw e;
            }
            if (config.dnsRefreshSeconds() > 0 && !namedNextHops(config).isEmpty()) {
                // every second, the next hops whose records' TTL ran out (the first tick learns the TTLs)
                server.group().next().scheduleAtFixedRate(() -> fetchers.execute(appliance::refreshDueNextHops), 1,
                        1, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (crlFetcher != null) {
                ProxyServer s = server;
                s.group().next().scheduleAtFixedRate(() -> fetchers.execute(() -> crlFetcher.refresh(
                        appliance::reapply, System.out, System.err)), fetched.refreshSeconds(), fetched.refreshSeconds(),
                        java.util.concurrent.TimeUnit.SECONDS);
                appliance.crlFetcher = crlFetcher;
            }
            return appliance;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            fetchers.shutdownNow();
            throw e;
        }
    }

    /**
     * The graceful stop: new INVITEs get 503 + Retry-After, responses and dialogs in progress still pass, until
     * the configured quiet period or the deadline; then {@link #close()}. True if it ended quiet.
     */
    public boolean drainAndClose() throws InterruptedException {
        ApplianceConfig.Stop stop = config.stop();
        server.drain().begin();
        try {
            return server.drain().await(stop.quietMillis(), stop.maxSeconds() * 1000L);
        } finally {
            close();
        }
    }

    /** The addresses the listening points bound, in configuration order. */
    public List<InetSocketAddress> bound() {
        return bound;
    }

    /** The proxy (counters, transports). */
    public ProxyServer server() {
        return server;
    }

    /** The HTTP API's address, or null when there is none. */
    public InetSocketAddress apiAddress() {
        return api == null ? null : api.address();
    }

    /** The signing identities' operations (certificate repository, renewals). */
    public io.shakengate.proxy.identity.IdentityOps identities() {
        return identities;
    }

    @Override
    public void close() {
        if (identities != null) {
            identities.close();
        }
        if (api != null) {
            api.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        server.close();
        fetchers.shutdownNow();
    }
}
