package io.shakengate.proxy.console;

import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConsoleSection;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's web console under {@code /console/}: who may see and change what, and which page answers.
 * Every request runs on the console's own thread (a password check is a bcrypt round, an edit writes files and
 * reloads), never on an event loop; the HTTP front only translates to and from {@link Request} and
 * {@link Response}.
 *
 * <p>Access: a page without a session redirects to the login page; an action (POST) without one is 401; a
 * change without the session's CSRF token is 403; a change by a {@code viewer} is 403 (the server refuses,
 * whatever the page shows). Every answer carries the security headers ({@link #HEADERS}).
 */
public final class Console implements AutoCloseable {
    /**
     * A console request as the front read it.
     *
     * @param method  GET or POST
     * @param path    the path, from {@code /console}
     * @param query   the query parameters (first value each)
     * @param form    the form fields of a POST (urlencoded or multipart)
     * @param files   the uploaded files of a multipart POST, by field name
     * @param session the session cookie's value, or null
     * @param address the client's IP address
     */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> form,
                          Map<String, byte[]> files, String session, String address) {
        String param(String name) {
            String v = form.get(name);
            return v == null ? "" : v.trim();
        }
    }

    /** An answer: status, content type, body and extra headers. */
    public record Response(int status, String type, byte[] body, Map<String, String> headers) {
        static Response html(int status, String html) {
            return new Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Response redirect(String to) {
            return new Response(303, "text/plain; charset=utf-8", new byte[0], Map.of("Location", to));
        }

        Response with(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Response(status, type, body, h);
        }
    }

    /** The headers of every console answer. */
    public static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
                    + " frame-ancestors 'none'; base-uri 'none'",
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store",
            "Cross-Origin-Opener-Policy", "same-origin",
            "Cross-Origin-Resource-Policy", "same-origin");

    /** The session cookie's name. */
    public static final String COOKIE = "shakengate_console";

    private final Supplier<ApplianceConfig> config;
    private final ConsoleSessions sessions = new ConsoleSessions();
    private final java.util.concurrent.ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console");
        t.setDaemon(true);
        return t;
    });
    private volatile ConsoleUsers users;
    private final PolicyPages policies;
    private final AuthorityPages authorities;
    private final WatchPages watch;
    private final boolean tls;

    /**
     * A console for the appliance whose configuration {@code config} gives, editing through {@code editor};
     * {@code tls} whether the listener is HTTPS (then Strict-Transport-Security is sent).
     */
    public Console(Supplier<ApplianceConfig> config, ConfigEditor editor, WatchPages watch, boolean tls) {
        this.config = config;
        this.policies = new PolicyPages(config, editor);
        this.authorities = new AuthorityPages(config, editor);
        this.watch = watch;
        this.tls = tls;
        worker.scheduleAtFixedRate(watch::sample, 0, WatchPages.SAMPLE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** The largest request body the console takes (an upload and its form). */
    public int maxBodyBytes() {
        return settings().maxUploadBytes() + 4096;
    }

    /** The sessions and their counters. */
    public ConsoleSessions sessions() {
        return sessions;
    }

    /** Answers {@code r} on the console's thread. */
    public CompletableFuture<Response> handle(Request r) {
        return CompletableFuture.supplyAsync(() -> {
            Response a;
            try {
                a = route(r);
            } catch (RuntimeException e) {
                System.err.println("console: " + r.method() + " " + r.path() + " failed: " + e);
                a = Response.html(500, Html.page("", "Internal error", null,
                        Html.message("error", "the console failed on this request (the journal says why)")));
            }
            for (Map.Entry<String, String> h : HEADERS.entrySet()) {
                a = a.with(h.getKey(), h.getValue());
            }
            return tls ? a.with("Strict-Transport-Security", "max-age=31536000") : a;
        }, worker);
    }

    private ConsoleSection.Settings settings() {
        return config.get().console();
    }

    private ConsoleUsers users() {
        ConsoleUsers u = users;
        if (u == null || !u.file().equals(settings().users())) {
            u = new ConsoleUsers(settings().users());
            users = u;
        }
        return u;
    }

    private Response route(Request r) {
        String path = r.path();
        boolean post = r.method().equals("POST");
        if (path.equals("/console/static/console.css")) {
            return new Response(200, "text/css; charset=utf-8", Html.CSS.getBytes(StandardCharsets.UTF_8), Map.of());
        }
        if (path.equals("/console/login")) {
            return post ? login(r) : Response.html(200, loginPage(null, ""));
        }
        long now = System.currentTimeMillis();
        ConsoleSessions.Session s = sessions.find(r.session(), now, settings().sessionMinutes() * 60_000L);
        if (s == null) {
            sessions.count(ConsoleSessions.Refused.NO_SESSION);
            return post ? Response.html(401, Html.page("", "Log in first", null,
                    Html.message("error", "this action needs a session: log in at /console/login")))
                    : Response.redirect("/console/login");
        }
        if (post) {
            if (!ConsoleSessions.csrfMatches(s, r.form().get("csrf"))) {
                sessions.count(ConsoleSessions.Refused.CSRF);
                return Response.html(403, Html.page("", "Refused", s, Html.message("error",
                        "the form's CSRF token is missing or wrong: reload the page and try again")));
            }
            if (path.equals("/console/logout")) {
                sessions.close(s.id());
                return Response.redirect("/console/login").with("Set-Cookie", cookie("", 0));
            }
            if (s.role() != ConsoleUsers.Role.ADMIN) {
                sessions.count(ConsoleSessions.Refused.FORBIDDEN);
                return Response.html(403, Html.page("", "Refused", s, Html.message("error",
                        "user " + s.user() + " is a viewer: only an admin may change the configuration")));
            }
        }
        String page = path.startsWith("/console/") ? path.substring("/console/".length()) : "";
        String who = s.user();
        return switch (page) {
            case "", "status" -> post ? notFound(s, path) : Response.html(200, watch.status(s));
            case "calls" -> post ? notFound(s, path) : Response.html(200, watch.calls(s, r.query().get("outcome")));
            case "authentication" -> post ? notFound(s, path) : policies.authentication(s, null, null, Map.of());
            case "authentication/add" -> post ? policies.addRule(s, r, who) : notFound(s, path);
            case "authentication/remove" -> post ? policies.removeRule(s, r, who) : notFound(s, path);
            case "authentication/list" -> post ? policies.saveList(s, r, who) : notFound(s, path);
            case "verification" -> post ? notFound(s, path) : policies.verification(s, null, null);
            case "verification/set" -> post ? policies.setVerification(s, r, who) : notFound(s, path);
            case "authorities" -> post ? notFound(s, path) : authorities.page(s, null, null);
            case "authorities/add" -> post ? authorities.add(s, r, who) : notFound(s, path);
            case "authorities/remove" -> post ? authorities.remove(s, r, who) : notFound(s, path);
            case "crl" -> post ? notFound(s, path) : authorities.crl(s);
            default -> notFound(s, path);
        };
    }

    private static Response notFound(ConsoleSessions.Session s, String path) {
        return Response.html(404, Html.page("", "Not found", s, Html.message("error", "no console page " + path)));
    }

    private Response login(Request r) {
        String user = r.param("user");
        String password = r.form().getOrDefault("password", "");
        long now = System.currentTimeMillis();
        ConsoleSection.Settings c = settings();
        long window = c.loginWindowSeconds() * 1000L;
        if (sessions.limited(r.address(), user, now, c.loginFailures(), window)) {
            sessions.count(ConsoleSessions.Login.RATE_LIMITED);
            return Response.html(429, loginPage("too many wrong passwords from this address or for this user: try"
                    + " again in " + c.loginWindowSeconds() + " s (console.loginFailures, console.loginWindowSeconds)",
                    user)).with("Retry-After", Integer.toString(c.loginWindowSeconds()));
        }
        ConsoleUsers u = users();
        ConsoleUsers.User found = user.isEmpty() || password.isEmpty() ? null : u.check(user, password);
        if (found == null) {
            sessions.failed(r.address(), user, now, window);
            sessions.count(ConsoleSessions.Login.FAILED);
            String problem = u.problem();
            return Response.html(401, loginPage(problem != null ? "no user can log in: " + problem
                    : "wrong user name or password", user));
        }
        sessions.count(ConsoleSessions.Login.OK);
        ConsoleSessions.Session s = sessions.open(found, now);
        return Response.redirect("/console/status").with("Set-Cookie", cookie(s.id(), -1));
    }

    private String cookie(String value, int maxAge) {
        return COOKIE + "=" + value + "; Path=/console; HttpOnly; Secure; SameSite=Strict"
                + (maxAge >= 0 ? "; Max-Age=" + maxAge : "");
    }

    private static String loginPage(String error, String user) {
        return Html.page("", "Log in", null, Html.message("error", error)
                + "<form class=\"edit login\" method=\"post\" action=\"/console/login\">"
                + Html.field("user", "User", user, null, null)
                + "<label>Password <input type=\"password\" name=\"password\" id=\"f-password\"></label>"
                + "<button type=\"submit\" id=\"login\">Log in</button></form>");
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
