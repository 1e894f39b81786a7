package io.shakengate.proxy;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.console.ConsoleSessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's access rules from outside, over HTTP: no session -> the login page for every page and 401 for
 * every action; a change without the CSRF token -> 403; a viewer's change -> 403 with the file unchanged; the
 * security headers and cookie flags on every page, and no script in any; a bad rule refused beside its field
 * with nothing changed; a good rule written in place (every other line and comment kept), applied and audited;
 * an uploaded "CA" that is an end-entity certificate, garbage or 10 MB refused, each saying why; 100 wrong
 * passwords rate-limited and counted.
 */
class ConsoleSecurityTest {
    private static final List<String> PAGES = List.of("/console/status", "/console/calls", "/console/authentication",
            "/console/verification", "/console/authorities", "/console/crl", "/console/", "/console/nothing-here");
    private static final List<String> ACTIONS = List.of("/console/authentication/add", "/console/authentication/remove",
            "/console/verification/set", "/console/authorities/add", "/console/authorities/remove", "/console/logout",
            "/console/authentication/list");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void accessIsCheckedByTheServer() throws Exception {
        try (ConsoleFixture f = new ConsoleFixture(dir)) {
            for (String p : PAGES) {
                HttpResponse<String> r = get(f, p, null);
                assertEquals(303, r.statusCode(), p);
                assertEquals("/console/login", r.headers().firstValue("Location").orElse(""), p);
                headers(r, p);
            }
            for (String p : ACTIONS) {
                HttpResponse<String> r = post(f, p, null, Map.of("csrf", "x"));
                assertEquals(401, r.statusCode(), p);
                headers(r, p);
            }
            HttpResponse<String> login = get(f, "/console/login", null);
            assertEquals(200, login.statusCode());
            headers(login, "login");

            String admin = login(f, ConsoleFixture.ADMIN, ConsoleFixture.ADMIN_PASSWORD);
            String before = Files.readString(f.file);
            for (String p : PAGES.subList(0, 6)) {
                HttpResponse<String> r = get(f, p, admin);
                assertEquals(200, r.statusCode(), p + ": " + r.body());
                headers(r, p);
                String body = r.body().toLowerCase();
                assertFalse(body.contains("<script"), p + " has no script");
                assertFalse(Pattern.compile("\\son[a-z]+=").matcher(body).find(), p + " has no inline handler");
                assertFalse(body.contains(" style="), p + " has no inline style");
            }
            String csrf = csrf(get(f, "/console/authentication", admin).body());
            Map<String, String> rule = Map.of("name", "from-console", "callingPrefixes", "1215", "action", "attest-a",
                    "position", "1");
            // no token, a wrong token: 403, nothing changed
            assertEquals(403, post(f, "/console/authentication/add", admin, rule).statusCode());
            java.util.Map<String, String> wrong = new java.util.HashMap<>(rule);
            wrong.put("csrf", "not-the-token");
            assertEquals(403, post(f, "/console/authentication/add", admin, wrong).statusCode());
            assertEquals(2, f.console.sessions().get(ConsoleSessions.Refused.CSRF));
            assertEquals(before, Files.readString(f.file));

            // a viewer: the page offers no form, and the server refuses the change all the same
            String viewer = login(f, ConsoleFixture.VIEWER, ConsoleFixture.VIEWER_PASSWORD);
            HttpResponse<String> vp = get(f, "/console/authentication", viewer);
            assertFalse(vp.body().contains("id=\"add-rule\""), "no add form for a viewer");
            java.util.Map<String, String> asViewer = new java.util.HashMap<>(rule);
            asViewer.put("csrf", csrf(get(f, "/console/status", viewer).body()));
            HttpResponse<String> refused = post(f, "/console/authentication/add", viewer, asViewer);
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("viewer"), refused.body());
            assertEquals(before, Files.readString(f.file));
            assertEquals(1, f.console.sessions().get(ConsoleSessions.Refused.FORBIDDEN));

            // a bad rule: the validator's error beside its field, nothing changed
            java.util.Map<String, String> bad = new java.util.HashMap<>(rule);
            bad.put("csrf", csrf);
            bad.put("source", "10.0.0.0/99");
            HttpResponse<String> badAnswer = post(f, "/console/authentication/add", admin, bad);
            assertEquals(422, badAnswer.statusCode(), badAnswer.body());
            assertTrue(badAnswer.body().contains("id=\"error-source\""), badAnswer.body());
            assertEquals(before, Files.readString(f.file));
            assertFalse(Files.exists(f.audit) && Files.readString(f.audit).contains("from-console"));

            // a good one: written in place, applied, audited
            java.util.Map<String, String> good = new java.util.HashMap<>(rule);
            good.put("csrf", csrf);
            HttpResponse<String> ok = post(f, "/console/authentication/add", admin, good);
            assertEquals(200, ok.statusCode(), ok.body());
            String after = Files.readString(f.file);
            for (String line : before.split("\n")) {
                assertTrue(after.contains(line), "kept: " + line);
            }
            assertTrue(after.contains("    - { name: from-console, callingPrefixes: [\"1215\"], action: attest-a }\n"
                    + "    - { name: premium"), after);
            assertEquals("from-console", f.appliance.config().signing().rules().get(0).name());
            String auditLine = Files.readString(f.audit);
            assertTrue(auditLine.contains("\"user\":\"admin\"") && auditLine.contains("add signing rule from-console")
                    && auditLine.contains("+    - { name: from-console"), auditLine);

            // a rule's number list: shown with its entries, edited as text, checked before it is written
            HttpResponse<String> lists = get(f, "/console/authentication", admin);
            assertTrue(lists.body().contains("1 entries (1 prefixes, 0 ranges)"), lists.body());
            String lcsrf = csrf(lists.body());
            HttpResponse<String> badList = post(f, "/console/authentication/list", admin, Map.of("csrf", lcsrf,
                    "file", f.list.toString(), "content", "1888\n12x\n"));
            assertEquals(422, badList.statusCode(), badList.body());
            assertTrue(badList.body().contains("line 2"), badList.body());
            assertEquals("# toll-free callers\n1888\n", Files.readString(f.list));
            HttpResponse<String> notAList = post(f, "/console/authentication/list", admin, Map.of("csrf", lcsrf,
                    "file", f.file.toString(), "content", "1888\n"));
            assertEquals(422, notAList.statusCode());
            assertTrue(notAList.body().contains("is not the number list of any rule"), notAList.body());
            HttpResponse<String> goodList = post(f, "/console/authentication/list", admin, Map.of("csrf", lcsrf,
                    "file", f.list.toString(), "content", "# toll-free callers\r\n1888\r\n18005550000-18005559999"));
            assertEquals(200, goodList.statusCode(), goodList.body());
            assertEquals("# toll-free callers\n1888\n18005550000-18005559999\n", Files.readString(f.list));
            assertTrue(goodList.body().contains("2 entries (1 prefixes, 1 ranges"), goodList.body());
            assertTrue(Files.readString(f.audit).contains("+18005550000-18005559999"), Files.readString(f.audit));

            // the verification policy of a point: set, then back to the default (the key removed again)
            String vcsrf = csrf(get(f, "/console/verification", admin).body());
            java.util.Map<String, String> pol = new java.util.HashMap<>(Map.of("csrf", vcsrf, "point", "in",
                    "in.signature-failure", "reject"));
            assertEquals(200, post(f, "/console/verification/set", admin, pol).statusCode());
            assertTrue(Files.readString(f.file).contains("pointPolicies: { in: { signature-failure: reject } }"),
                    Files.readString(f.file));
            assertTrue(f.appliance.config().verification().policyText().contains("at in:"));
            pol.remove("in.signature-failure");
            assertEquals(200, post(f, "/console/verification/set", admin, pol).statusCode());
            assertFalse(Files.readString(f.file).contains("pointPolicies"), Files.readString(f.file));

            // a file the process cannot write (here: its temporary file's name taken by a directory): nothing changed
            Path blocker = Files.createDirectory(f.dir.resolve(".shakengate.yaml.console-tmp"));
            String unwritable = Files.readString(f.file);
            java.util.Map<String, String> stuck = new java.util.HashMap<>(Map.of("csrf", vcsrf, "point", "in",
                    "in.stale", "reject"));
            HttpResponse<String> notWritten = post(f, "/console/verification/set", admin, stuck);
            assertEquals(422, notWritten.statusCode(), notWritten.body());
            assertTrue(notWritten.body().contains("cannot be written by this process"), notWritten.body());
            assertEquals(unwritable, Files.readString(f.file));
            Files.delete(blocker);

            // uploads that are not a CA certificate
            String acsrf = csrf(get(f, "/console/authorities", admin).body());
            TestPki other = new TestPki(System.currentTimeMillis());
            String anchorsBefore = String.join(",", list(f.anchors));
            HttpResponse<String> ee = upload(f, admin, acsrf, other.endEntity(TestPki.Flaw.NONE).certPem().getBytes());
            assertEquals(422, ee.statusCode(), ee.body());
            assertTrue(ee.body().contains("is not a CA certificate"), ee.body());
            HttpResponse<String> garbage = upload(f, admin, acsrf, "this is not a certificate".getBytes());
            assertEquals(422, garbage.statusCode());
            assertTrue(garbage.body().contains("not a PEM or DER X.509 certificate"), garbage.body());
            String big = rawPostHead(f, admin, 10 << 20);
            assertTrue(big.startsWith("HTTP/1.1 413"), big);
            assertTrue(big.contains("console.maxUploadBytes"), big);
            assertEquals(anchorsBefore, String.join(",", list(f.anchors)));

            // 100 wrong passwords: five checked and refused, the rest rate-limited without a check; counted
            int limited = 0;
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> r = post(f, "/console/login", null, Map.of("user", "admin", "password",
                        "wrong-" + i));
                assertTrue(r.statusCode() == 401 || r.statusCode() == 429, r.statusCode() + "");
                limited += r.statusCode() == 429 ? 1 : 0;
            }
            assertEquals(95, limited);
            assertEquals(5, f.console.sessions().get(ConsoleSessions.Login.FAILED));
            assertEquals(95, f.console.sessions().get(ConsoleSessions.Login.RATE_LIMITED));
            // even the right password waits for the window's end
            assertEquals(429, post(f, "/console/login", null, Map.of("user", "admin", "password",
                    ConsoleFixture.ADMIN_PASSWORD)).statusCode());
            String metrics = get(f, "/metrics", null).body();
            assertTrue(metrics.contains("shakengate_console_logins_total{result=\"rate_limited\"} 96"), metrics);
            assertTrue(metrics.contains("shakengate_console_refused_total{reason=\"csrf\"} 2"), metrics);
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
            p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "promtool check metrics: " + said);
        }
    }

    @Test
    void theCrlPageShowsTheRevocationList() throws Exception {
        TestPki stiPa = new TestPki(System.currentTimeMillis());
        try (ConsoleFixture f = new ConsoleFixture(dir, stiPa)) {
            String admin = login(f, ConsoleFixture.ADMIN, ConsoleFixture.ADMIN_PASSWORD);
            HttpResponse<String> r = get(f, "/console/crl", admin);
            assertEquals(200, r.statusCode(), r.body());
            String body = r.body();
            assertTrue(body.contains("<td id=\"crl-entries\">1</td>"), body);
            assertTrue(body.contains("CN=Test SHAKEN Intermediate"), body);
            assertTrue(body.contains("kept by the operator"), body);
            assertTrue(body.contains(f.dir.resolve("sti-pa.crl").toString()), body);
            headers(r, "crl");
        }
    }

    private static List<String> list(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void headers(HttpResponse<String> r, String what) {
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"), what + ": " + csp);
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""), what);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), what);
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""), what);
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""), what);
    }

    private String login(ConsoleFixture f, String user, String password) throws Exception {
        HttpResponse<String> r = post(f, "/console/login", null, Map.of("user", user, "password", password));
        assertEquals(303, r.statusCode(), r.body());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict")
                && cookie.contains("Path=/console"), cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    private HttpResponse<String> get(ConsoleFixture f, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.equals("/metrics")
                ? "http://127.0.0.1:" + f.metricsPort + path : f.url(path)));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(ConsoleFixture f, String path, String cookie, Map<String, String> form)
            throws Exception {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> e : form.entrySet()) {
            body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.url(path)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(ConsoleFixture f, String cookie, String csrf, byte[] file) throws Exception {
        String boundary = "----shakengate" + System.nanoTime();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"certificate\"; filename=\"ca.pem\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        b.write(file);
        b.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return http.send(HttpRequest.newBuilder(URI.create(f.url("/console/authorities/add")))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofByteArray(b.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer to the head of a POST announcing {@code length} bytes, before any of them is sent. */
    private static String rawPostHead(ConsoleFixture f, String cookie, int length) throws Exception {
        try (Socket s = new Socket("127.0.0.1", f.appliance.apiAddress().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /console/authorities/add HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie
                    + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            StringBuilder got = new StringBuilder();
            long end = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < end && !got.toString().contains("</html>")) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return got.toString();
        }
    }
}
