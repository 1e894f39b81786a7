package io.shakengate.proxy.console;

import java.util.List;
import java.util.Locale;

/**
 * HTML for the console's pages: escaping (every value from the configuration, a call or the user passes
 * through {@link #esc}), the page frame with its navigation, and form fields. No script anywhere: the pages
 * work with the Content-Security-Policy {@code default-src 'none'; style-src 'self'}.
 */
final class Html {
    private Html() {
    }

    /** The pages, in the navigation's order: path and title. */
    static final List<String[]> PAGES = List.of(
            new String[] {"status", "Status"},
            new String[] {"calls", "Calls"},
            new String[] {"authentication", "Authentication Policies"},
            new String[] {"verification", "Verification Policies"},
            new String[] {"authorities", "Certificate Authorities"},
            new String[] {"crl", "CRL"});

    static String esc(Object o) {
        String s = o == null || o == io.shakengate.crypto.passport.Json.NULL ? "" : o.toString();
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** An enum constant as the configuration spells it ({@code ATTEST_A} -> {@code attest-a}). */
    static String word(Enum<?> e) {
        return e == null ? "" : e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A whole page: head, navigation (the current one marked), who is logged in, the body. */
    static String page(String current, String title, ConsoleSessions.Session s, String body) {
        StringBuilder b = new StringBuilder(4096).append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>").append(esc(title)).append(" - ShakenGate</title>")
                .append("<link rel=\"stylesheet\" href=\"/console/static/console.css\"></head><body>")
                .append("<header><span class=\"brand\">ShakenGate</span><nav>");
        for (String[] p : PAGES) {
            b.append("<a href=\"/console/").append(p[0]).append('"')
                    .append(p[0].equals(current) ? " class=\"current\"" : "").append('>').append(esc(p[1])).append("</a>");
        }
        b.append("</nav>");
        if (s != null) {
            b.append("<form class=\"who\" method=\"post\" action=\"/console/logout\">").append(csrf(s))
                    .append("<span id=\"user\">").append(esc(s.user())).append(" (").append(word(s.role()))
                    .append(")</span> <button type=\"submit\">Log out</button></form>");
        }
        return b.append("</header><main><h1>").append(esc(title)).append("</h1>").append(body)
                .append("</main></body></html>").toString();
    }

    static String csrf(ConsoleSessions.Session s) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(s.csrf()) + "\">";
    }

    /** A message box: {@code kind} ok or error. */
    static String message(String kind, String text) {
        return text == null ? "" : "<p class=\"" + kind + "\" id=\"message\">" + esc(text).replace("\n", "<br>") + "</p>";
    }

    /** A labelled text field, with its error beside it when it has one. */
    static String field(String name, String label, String value, String error, String hint) {
        return "<label>" + esc(label) + " <input type=\"text\" name=\"" + name + "\" id=\"f-" + name + "\" value=\""
                + esc(value) + "\"></label>" + (hint == null ? "" : "<small>" + esc(hint) + "</small>")
                + (error == null ? "" : "<span class=\"field-error\" id=\"error-" + name + "\">" + esc(error) + "</span>");
    }

    /** A select of {@code options} with {@code selected} chosen ("" offers "(default)"). */
    static String select(String name, String label, List<String> options, String selected, boolean withDefault) {
        StringBuilder b = new StringBuilder("<label>").append(esc(label)).append(" <select name=\"").append(name)
                .append("\" id=\"f-").append(name).append("\">");
        if (withDefault) {
            b.append("<option value=\"\">(default)</option>");
        }
        for (String o : options) {
            b.append("<option value=\"").append(esc(o)).append('"').append(o.equals(selected) ? " selected" : "")
                    .append('>').append(esc(o)).append("</option>");
        }
        return b.append("</select></label>").toString();
    }

    /** The stylesheet (served as /console/static/console.css). */
    static final String CSS = String.join("\n",
            "body{font-family:system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}",
            "header{background:#17324d;color:#fff;display:flex;align-items:center;gap:1.5em;padding:.6em 1em;flex-wrap:wrap}",
            "header a{color:#cfe3ff;text-decoration:none;margin-right:1em}header a.current{color:#fff;font-weight:bold}",
            ".brand{font-weight:bold;font-size:1.2em}.who{margin-left:auto}main{padding:1em 2em}",
            "table{border-collapse:collapse;background:#fff;margin:.5em 0 1.5em}th,td{border:1px solid #d5dae0;padding:.3em .6em;text-align:left;font-size:.92em}",
            "th{background:#e8edf3}.ok{color:#0b6b2f}.error,.field-error{color:#b00020}.field-error{margin-left:.5em}",
            "form.edit{background:#fff;border:1px solid #d5dae0;padding:1em;display:grid;gap:.5em;max-width:46em}",
            "small{color:#5b6670;margin-left:.5em}.chart{background:#fff;border:1px solid #d5dae0;margin:0 1em 1em 0}",
            ".charts{display:flex;flex-wrap:wrap}.login{max-width:22em}code{font-size:.9em}",
            "textarea{display:block;font-family:monospace;margin-top:.3em}");
}
