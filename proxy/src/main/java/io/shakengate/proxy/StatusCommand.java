package io.shakengate.proxy;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.shakengate.proxy.config.ApplianceConfig;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code shakengate status [--config FILE] [--cert FILE --key FILE]} (the client certificate an API with
 * {@code api.tls.clientCa} asks for): asks the running appliance (GET /status on its API listener, with
 * the first bearer token of {@code api.bearerTokens}) and prints its points, counters, x5u cache, CPS and last
 * decisions. Over TLS when the API has it, trusting only the listener's own certificate (api.tls.certificate);
 * an API that asks for client certificates is refused with the reason.
 */
final class StatusCommand {
    static final String DEFAULT_CONFIG = "/etc/shakengate/shakengate.yaml";

    private StatusCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(DEFAULT_CONFIG);
        Path clientCert = null;
        Path clientKey = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (v == null ? "" : args[i]) {
                case "--config" -> file = Path.of(v);
                case "--cert" -> clientCert = Path.of(v);
                case "--key" -> clientKey = Path.of(v);
                default -> {
                    err.println("usage: shakengate status [--config FILE] [--cert FILE --key FILE]");
                    return ProxyMain.EXIT_USAGE;
                }
            }
        }
        if ((clientCert == null) != (clientKey == null)) {
            err.println("status: --cert and --key go together (a client certificate and its private key)");
            return ProxyMain.EXIT_USAGE;
        }
        ApplianceConfig c;
        try {
            c = ApplianceConfig.parse(Files.readString(file), file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("status: no such configuration file: " + file);
            return ProxyMain.EXIT_CONFIG;
        } catch (io.shakengate.proxy.config.ConfigException e) {
            err.println("status: " + e.getMessage());
            return ProxyMain.EXIT_CONFIG;
        }
        if (c.api() == null) {
            err.println("status: " + file + " has no api section: the status is served on the API listener (api.listen)");
            return ProxyMain.EXIT_CONFIG;
        }
        boolean tls = c.api().tlsCertificate() != null;
        if (tls && c.api().clientCa() != null && clientCert == null) {
            err.println("status: the API listener asks for a client certificate (api.tls.clientCa): give one with"
                    + " --cert FILE --key FILE");
            return ProxyMain.EXIT_USAGE;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create((tls ? "https://" : "http://")
                + io.shakengate.proxy.config.ConfigDescriber.hostPort(c.api().listen()) + "/status")).timeout(Duration.ofSeconds(5)).GET();
        if (c.api().bearerTokens() != null) {
            List<String> tokens = Files.readAllLines(c.api().bearerTokens()).stream().map(String::trim)
                    .filter(t -> !t.isEmpty() && !t.startsWith("#")).toList();
            if (!tokens.isEmpty()) {
                req.header("Authorization", "Bearer " + tokens.get(0));
            }
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls) {
            // the listener's own certificate (api.tls.certificate) is the only one trusted: pinned, so the name
            // in it need not be the listen address (this process makes no other HTTPS request)
            System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
            client.sslContext(io.shakengate.proxy.transport.TrustedCas.tls(c.api().tlsCertificate(), clientCert,
                    clientKey));
        }
        HttpResponse<String> r;
        try {
            r = client.build().send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (javax.net.ssl.SSLException e) {
            err.println("status: the TLS handshake with " + io.shakengate.proxy.config.ConfigDescriber.hostPort(
                    c.api().listen()) + " failed: " + e.getMessage());
            return ProxyMain.EXIT_FAILED;
        } catch (java.net.ConnectException e) {
            err.println("status: nothing answers at " + io.shakengate.proxy.config.ConfigDescriber.hostPort(c.api().listen()) + " (is the appliance running?)");
            return ProxyMain.EXIT_FAILED;
        } catch (java.io.IOException e) {
            err.println("status: asking " + io.shakengate.proxy.config.ConfigDescriber.hostPort(c.api().listen())
                    + " failed: " + e.getMessage() + (tls && c.api().clientCa() != null
                    ? " (does api.tls.clientCa trust the --cert given?)" : ""));
            return ProxyMain.EXIT_FAILED;
        }
        if (r.statusCode() != 200) {
            err.println("status: the appliance answered " + r.statusCode() + ": " + r.body());
            return ProxyMain.EXIT_FAILED;
        }
        print(JSONObjectUtils.parse(r.body()), out);
        return ProxyMain.EXIT_OK;
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> s, PrintStream out) {
        out.println("shakengate " + s.get("version") + ", up " + s.get("uptimeSeconds") + " s, " + s.get("transport"));
        if (s.get("eventLoops") instanceof List<?> loops) {
            out.println("event loops: " + loops.size() + ", tasks queued " + loops.stream()
                    .map(l -> String.valueOf(((Map<?, ?>) l).get("pendingTasks"))).toList()
                    + ", verifications waiting for a certificate " + s.get("pendingVerifications"));
        }
        out.println("points:");
        for (Object o : (List<Object>) s.get("points")) {
            Map<String, Object> p = (Map<String, Object>) o;
            StringBuilder b = new StringBuilder("  ").append(p.get("name")).append(": ").append(p.get("transport"))
                    .append(' ').append(p.get("listen")).append(", ").append(p.get("role"));
            if (Boolean.TRUE.equals(p.get("redirect"))) {
                b.append(" (redirect)");
            } else {
                b.append(" ->");
                for (Object h : (List<Object>) p.get("nextHops")) {
                    Map<String, Object> hop = (Map<String, Object>) h;
                    b.append(' ').append(hop.get("address"));
                    if (Boolean.TRUE.equals(hop.get("heldDown"))) {
                        b.append(" (held down)");
                    }
                    if (hop.get("refused") instanceof Number n && n.longValue() > 0) {
                        b.append(" (refused ").append(n).append(')');
                    }
                }
            }
            if (p.get("connections") != null) {
                b.append(", ").append(p.get("connections")).append(" connection(s)");
            }
            out.println(b);
        }
        Map<String, Object> counters = (Map<String, Object>) s.get("counters");
        out.println("counters:" + (counters.isEmpty() ? " (all 0)" : ""));
        counters.forEach((k, v) -> out.println("  " + k + " " + v));
        if (s.get("x5uCache") instanceof Map<?, ?> cache) {
            out.println("x5u cache: " + cache.get("entries") + " of at most " + cache.get("maxEntries"));
        }
        if (s.get("cps") instanceof Map<?, ?> cps) {
            out.println("cps: targets " + cps.get("targets") + (Boolean.TRUE.equals(cps.get("serving"))
                    ? ", serving a CPS" : ""));
        }
        List<Object> recent = (List<Object>) s.get("recentDecisions");
        out.println("last decisions (" + recent.size() + "):");
        for (Object o : recent) {
            Map<String, Object> d = (Map<String, Object>) o;
            StringBuilder b = new StringBuilder("  ").append(d.get("time")).append(' ').append(d.get("event"))
                    .append(' ').append(d.get("point")).append(" call ").append(d.get("callId")).append(' ')
                    .append(d.get("orig")).append(" -> ").append(d.get("dest")).append(": ").append(d.get("outcome"));
            if ("verification".equals(d.get("event"))) {
                b.append(", ").append(d.get("verstat"));
                if (d.get("reason") != null) {
                    b.append(" (").append(d.get("reason")).append(')');
                }
            } else {
                if (d.get("attestation") != null) {
                    b.append(", attestation ").append(d.get("attestation"));
                }
                if (d.get("identity") != null) {
                    b.append(", identity ").append(d.get("identity"));
                }
            }
            out.println(b);
        }
    }
}
