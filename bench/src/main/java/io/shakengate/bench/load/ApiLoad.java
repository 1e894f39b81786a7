package io.shakengate.bench.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.cps.CpsTokens;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.cps.CpsServer;
import io.shakengate.proxy.cps.CpsStore;
import io.shakengate.proxy.cps.MemoryCpsStore;
import io.shakengate.proxy.cps.RedisCpsStore;
import io.shakengate.proxy.http.HttpApiServer;
import io.shakengate.proxy.transport.Transports;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests per second of the HTTP API and the CPS, measured with wrk on loopback, in one run beside
 * secsipidx's own HTTP server measured the same way (its {@code /v1/sign-csv} and {@code /v1/check}):
 * the appliance's API and CPS on 2 event loops in this JVM (certificate cached), wrk with 1 thread and 32
 * connections, everything on this machine's cores.
 *
 * <pre>java -cp bench/target/microbenchmarks.jar io.shakengate.bench.load.ApiLoad [SECONDS]</pre>
 * Needs wrk and secsipidx; the Redis rows need redis-server (each started here on a free loopback port and
 * stopped at the end, by PID). CPS publishes use pre-signed tokens, one per request (the CPS refuses a
 * token twice), for distinct calls.
 */
public final class ApiLoad {
    private static final String TOKEN = "bench-token-0123456789abcdef";
    private static final String X5U = "https://certs.shakengate.load/sti/1234.pem";
    private static final String AUD = "cps.shakengate.load";

    private ApiLoad() {
    }

    /** One measured row. */
    private record Row(String what, double perSecond, long non2xx, String p99) {
    }

    /** Entry point: [SECONDS] per measurement (default 5). */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("shakengate-apiload");
        DemoPki pki = new DemoPki("1234");
        EcdsaProvider provider = EcdsaProvider.selected();
        PassportSigner signer = new PassportSigner(new SignerPool(provider, pki.signerKeys().getPrivate()), X5U);
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                url -> CompletableFuture.completedFuture(CertificateFetcher.Response.failed(404, "HTTP 404")),
                System::currentTimeMillis);
        cache.preload(X5U, pki.chainPem().getBytes(StandardCharsets.US_ASCII));
        ChainValidator chains = new ChainValidator(Set.of(new TrustAnchor(pki.root(), null)), null);
        PassportVerifier verifier = new PassportVerifier(PassportVerifier.Config.DEFAULT, cache, chains,
                () -> System.currentTimeMillis() / 1000, provider);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, verifier, 1500);
        Transports transports = Transports.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, transports.ioHandlerFactory());
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Process> started = new ArrayList<>();
        List<AutoCloseable> closing = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        List<CpsServer> cpsServers = new ArrayList<>();
        try {
            CpsStore memory = new MemoryCpsStore(8, 1_000_000, System::currentTimeMillis);
            CpsServer memoryCps = cps(cache, chains, provider, memory);
            cpsServers.add(memoryCps);
            HttpApiServer api = new HttpApiServer(group, transports, any, null, new HttpApiServer.Limits(
                    () -> List.of(TOKEN), 16384, 60), () -> services, memoryCps,
                    new io.shakengate.proxy.metrics.ProxyCounters());
            closing.add(api);
            String base = "http://127.0.0.1:" + api.address().getPort();
            System.out.println("ShakenGate API and CPS on " + base + " (" + transports.describe() + ", ECDSA "
                    + provider + "); " + seconds + " s per row, wrk -t1 -c32");

            // secsipidx's HTTP server, with the same key
            Path key = Files.writeString(dir.resolve("key.pem"), pki.signerKeyPem());
            Path pub = Files.writeString(dir.resolve("pub.pem"), CertificateRequests.publicKeyPem(
                    pki.signerKeys()));
            int sxPort = freePort();
            Process sx = new ProcessBuilder("secsipidx", "-http-srv", "127.0.0.1:" + sxPort, "-fprvkey", key.toString(),
                    "-fpubkey", pub.toString(), "-expire", "3600").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("secsipidx.log").toFile()).start();
            started.add(sx);
            waitForPort(sxPort);
            String sxBase = "http://127.0.0.1:" + sxPort;

            long now = System.currentTimeMillis() / 1000;
            String signing = "{\"signingRequest\":{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":" + now
                    + ",\"orig\":{\"tn\":\"12155550121\"},\"origid\":\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\"}}";
            String identity = signer.identity(new ShakenClaims(Attestation.A, "12155550121", List.of("12155550131"),
                    now, UUID.randomUUID().toString()));
            String verification = "{\"verificationRequest\":{\"from\":{\"tn\":\"12155550121\"},\"to\":{\"tn\":"
                    + "[\"12155550131\"]},\"time\":" + now + ",\"identity\":\"" + identity + "\"}}";
            wrk("warm-up", dir, base + "/stir/v1/signing", post(signing, true), seconds); // JIT; not reported
            wrk("warm-up", dir, base + "/stir/v1/verification", post(verification, true), seconds);
            rows.add(wrk("ShakenGate POST /stir/v1/signing", dir, base + "/stir/v1/signing", post(signing, true), seconds));
            rows.add(wrk("secsipidx POST /v1/sign-csv", dir, sxBase + "/v1/sign-csv",
                    post("12155550121,12155550131,A,9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f," + X5U, false), seconds));
            rows.add(wrk("ShakenGate POST /stir/v1/verification (one token)", dir, base + "/stir/v1/verification",
                    post(verification, true), seconds));
            rows.add(wrk("secsipidx POST /v1/check (one token)", dir, sxBase + "/v1/check", post(identity, false),
                    seconds));
            // distinct tokens: no verified-token cache hit (what a verifier sees from real traffic)
            Path distinct = dir.resolve("verify.tsv");
            Path distinctSx = dir.resolve("check.tsv");
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(distinct));
                 PrintWriter x = new PrintWriter(Files.newBufferedWriter(distinctSx))) {
                for (int i = 0; i < 100_000; i++) {
                    String id = signer.identity(new ShakenClaims(Attestation.A, "12155550121", List.of("12155550131"),
                            now, UUID.randomUUID().toString()));
                    w.print("/stir/v1/verification\t" + TOKEN + "\t{\"verificationRequest\":{\"from\":{\"tn\":"
                            + "\"12155550121\"},\"to\":{\"tn\":[\"12155550131\"]},\"time\":" + now + ",\"identity\":\""
                            + id + "\"}}\n");
                    x.print("/v1/check\t-\t" + id + "\n");
                }
            }
            rows.add(run("ShakenGate POST /stir/v1/verification (distinct)", List.of("wrk", "-t1", "-c32", "-d"
                    + seconds + "s", "--latency", "-s", cycleScript(dir).toString(), base, "--", distinct.toString())));
            rows.add(run("secsipidx POST /v1/check (distinct)", List.of("wrk", "-t1", "-c32", "-d" + seconds + "s",
                    "--latency", "-s", cycleScript(dir).toString(), sxBase, "--", distinctSx.toString())));
            rows.addAll(cpsRows("memory", dir, base, signer, seconds));

            RedisCpsStore redisStore = null;
            int redisPort = freePort();
            try {
                Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind",
                        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
                started.add(redis);
                waitForPort(redisPort);
                redisStore = new RedisCpsStore(group, transports, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        redisPort), 8, "bench:", System::currentTimeMillis);
            } catch (IOException e) {
                System.out.println("no redis-server: " + e.getMessage());
            }
            if (redisStore != null) {
                CpsServer redisCps = cps(cache, chains, provider, redisStore);
                cpsServers.add(redisCps);
                HttpApiServer redisApi = new HttpApiServer(group, transports, any, null, new HttpApiServer.Limits(
                        List::of, 16384, 60), () -> services, redisCps,
                        new io.shakengate.proxy.metrics.ProxyCounters());
                closing.add(redisApi);
                closing.add(redisStore);
                rows.addAll(cpsRows("redis", dir, "http://127.0.0.1:" + redisApi.address().getPort(), signer, seconds));
            }
            System.out.println();
            System.out.printf("%-46s %12s %10s %10s%n", "", "requests/s", "non-2xx", "p99");
            for (Row r : rows) {
                System.out.printf("%-46s %12.0f %10d %10s%n", r.what(), r.perSecond(), r.non2xx(), r.p99());
            }
            for (CpsServer c : cpsServers) {
                StringBuilder b = new StringBuilder("CPS " + c.store().describe() + ": refusals");
                for (CpsTokens.Refusal r : CpsTokens.Refusal.values()) {
                    if (c.refusals(r) > 0) {
                        b.append(' ').append(r.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(c.refusals(r));
                    }
                }
                System.out.println(b.append(", store failures ").append(c.totals()[2]));
            }
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static CpsServer cps(CertificateCache cache, ChainValidator chains, EcdsaProvider provider, CpsStore store) {
        return new CpsServer(new CpsTokens.Verifier(AUD, 60, 60, PassportVerifier.Config.DEFAULT, cache, chains,
                () -> System.currentTimeMillis() / 1000, provider), store, new CpsServer.Limits(8, 15, 60),
                () -> System.currentTimeMillis() / 1000);
    }

    /** Publishes (one fresh token per request, distinct calls) and retrieves (one token, repeated). */
    private static List<Row> cpsRows(String store, Path dir, String base, PassportSigner signer, int seconds)
            throws Exception {
        int count = 100_000;
        long now = System.currentTimeMillis() / 1000;
        Path requests = dir.resolve("publish-" + store + ".tsv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(requests))) {
            for (int i = 0; i < count; i++) {
                String dest = "1215" + String.format("%07d", i);
                String identity = signer.identity(new ShakenClaims(Attestation.A, "12155550121", List.of(dest), now,
                        UUID.randomUUID().toString()));
                String passport = identity.substring(0, identity.indexOf(';'));
                String token = CpsTokens.create(signer.pool().signer(), X5U, new CpsTokens.Claims(
                        CpsTokens.Action.PUBLISH, AUD, "1234", "1234", "12155550121", List.of(dest), now, now + 60,
                        UUID.randomUUID().toString(), CpsTokens.digest(List.of(passport))));
                w.print("/passports/1234/" + dest + "/12155550121\t" + token + "\t{\"passports\":[\"" + passport + "\"]}\n");
            }
        }
        Path script = cycleScript(dir);
        List<Row> rows = new ArrayList<>();
        rows.add(run("CPS publish (" + store + ")", List.of("wrk", "-t1", "-c32", "-d" + seconds + "s", "--latency",
                "-s", script.toString(), base, "--", requests.toString())));
        String retrieveToken = CpsTokens.create(signer.pool().signer(), X5U, new CpsTokens.Claims(
                CpsTokens.Action.RETRIEVE, AUD, "1234", "1234", "12155550121", List.of("12150000007"),
                System.currentTimeMillis() / 1000, 0, UUID.randomUUID().toString(), null));
        Path get = dir.resolve("retrieve.lua");
        Files.writeString(get, "wrk.method = 'GET'\nwrk.headers['Authorization'] = 'Bearer " + retrieveToken + "'\n");
        rows.add(run("CPS retrieve (" + store + ")", List.of("wrk", "-t1", "-c32", "-d" + seconds + "s", "--latency",
                "-s", get.toString(), base + "/passports/1234/12150000007/12155550121")));
        return rows;
    }

    /**
     * A wrk script cycling through the requests of a file given after "--": lines "path TAB token TAB body",
     * POSTed as JSON with the token as bearer ("-": no token, plain body).
     */
    private static Path cycleScript(Path dir) throws IOException {
        return Files.writeString(dir.resolve("cycle.lua"), String.join("\n",
                "local reqs = {}",
                "local i = 0",
                "function init(args)",
                "  for line in io.lines(args[1]) do",
                "    local path, token, body = line:match('([^\\t]*)\\t([^\\t]*)\\t(.*)')",
                "    local headers = {}",
                "    if token ~= '-' then",
                "      headers = {['Authorization'] = 'Bearer ' .. token, ['Content-Type'] = 'application/json'}",
                "    end",
                "    reqs[#reqs + 1] = wrk.format('POST', path, headers, body)",
                "  end",
                "end",
                "function request()",
                "  i = i % #reqs + 1",
                "  return reqs[i]",
                "end", ""));
    }

    private static String post(String body, boolean json) {
        StringBuilder lua = new StringBuilder("wrk.method = 'POST'\n");
        lua.append("wrk.body = [==[").append(body).append("]==]\n");
        if (json) {
            lua.append("wrk.headers['Content-Type'] = 'application/json'\n");
            lua.append("wrk.headers['Authorization'] = 'Bearer ").append(TOKEN).append("'\n");
        }
        return lua.toString();
    }

    private static Row wrk(String what, Path dir, String url, String lua, int seconds) throws Exception {
        Path script = Files.writeString(dir.resolve(what.replaceAll("[^A-Za-z0-9]", "_") + ".lua"), lua);
        return run(what, List.of("wrk", "-t1", "-c32", "-d" + seconds + "s", "--latency", "-s", script.toString(), url));
    }

    private static Row run(String what, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        Matcher bad = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        Matcher p99 = Pattern.compile("\\s99%\\s+(\\S+)").matcher(out);
        if (!rps.find()) {
            System.out.println(what + ": wrk said\n" + out);
            return new Row(what, 0, -1, "-");
        }
        return new Row(what, Double.parseDouble(rps.group(1)), bad.find() ? Long.parseLong(bad.group(1)) : 0,
                p99.find() ? p99.group(1) : "-");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nothing listens on " + port + " after 10 s", e);
                }
                Thread.sleep(50);
            }
        }
    }
}
