package io.shakengate.proxy.config;

import org.snakeyaml.engine.v2.nodes.Node;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The {@code console} section: the operator's web console, served under {@code /console/} on the API
 * listener (so it needs the {@code api} section, and that listener on loopback unless {@code api.tls} is set).
 */
public final class ConsoleSection {
    private ConsoleSection() {
    }

    /**
     * The console's settings.
     *
     * @param users              the users file: {@code NAME ROLE BCRYPT-HASH} per line, roles viewer and admin
     *                           ({@code bin/shakengate console-user FILE NAME ROLE}); reread when it changes
     * @param auditLog           where every change is appended (a JSON line: who, when, what, the diff)
     * @param sessionMinutes     a session unused this long ends (1 to 1440, default 30)
     * @param maxUploadBytes     the largest request body of the console (an uploaded CA; 1024 to 1 MiB,
     *                           default 65536)
     * @param loginFailures      wrong passwords from one address (or for one user) within
     *                           {@code loginWindowSeconds} before further logins are refused (429) for the
     *                           rest of the window (1 to 1000, default 5)
     * @param loginWindowSeconds that window (10 to 86400, default 300)
     * @param recentCalls        decisions kept for the Calls page (16 to 100000, default 256)
     */
    public record Settings(Path users, Path auditLog, int sessionMinutes, int maxUploadBytes, int loginFailures,
                           int loginWindowSeconds, int recentCalls) {
    }

    static final Set<String> KEYS = Set.of("users", "auditLog", "sessionMinutes", "maxUploadBytes", "loginFailures",
            "loginWindowSeconds", "recentCalls");

    static Settings parse(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "console", KEYS);
        return new Settings(
                Path.of(YamlNodes.scalar(ApplianceConfig.required(m, "users", n, "console"), "console.users")),
                Path.of(YamlNodes.scalar(ApplianceConfig.required(m, "auditLog", n, "console"), "console.auditLog")),
                m.containsKey("sessionMinutes") ? YamlNodes.integer(m.get("sessionMinutes"), "console.sessionMinutes",
                        1, 1440) : 30,
                m.containsKey("maxUploadBytes") ? YamlNodes.integer(m.get("maxUploadBytes"), "console.maxUploadBytes",
                        1024, 1 << 20) : 65536,
                m.containsKey("loginFailures") ? YamlNodes.integer(m.get("loginFailures"), "console.loginFailures",
                        1, 1000) : 5,
                m.containsKey("loginWindowSeconds") ? YamlNodes.integer(m.get("loginWindowSeconds"),
                        "console.loginWindowSeconds", 10, 86_400) : 300,
                m.containsKey("recentCalls") ? YamlNodes.integer(m.get("recentCalls"), "console.recentCalls",
                        16, 100_000) : 256);
    }

    /** The section read and checked against the API listener (not when the api section failed already). */
    static Settings read(Node n, ApplianceConfig.Api api, boolean apiFailed) {
        Settings s = parse(n);
        if (!apiFailed) {
            check(n, api);
        }
        return s;
    }

    /** The console is served on the API listener: refused without one, or off loopback without TLS. */
    static void check(Node n, ApplianceConfig.Api api) {
        if (api == null) {
            throw YamlNodes.error(n, "console is served on the API listener: add an api section");
        }
        InetSocketAddress a = api.listen();
        if (!a.getAddress().isLoopbackAddress() && api.tlsCertificate() == null) {
            throw YamlNodes.error(n, "console: api.listen " + ConfigDescriber.hostPort(a)
                    + " is not loopback, so the console needs api.tls (its passwords and cookies would travel in clear)");
        }
    }
}
