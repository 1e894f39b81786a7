package io.shakengate.proxy.console;

import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.NumberList;
import io.shakengate.proxy.stir.VerificationPolicy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Authentication Policies page (the ordered signing rules: add one at a position, remove one) and the
 * Verification Policies page (the action of each outcome class, for every point and per listening point).
 * What is shown is the running configuration; a change is an edit of the YAML file's {@code signing.rules}
 * list or {@code verification.policy} / {@code verification.pointPolicies} mappings, made in place
 * ({@link YamlEdit}: the rest of the file and its comments stay) and applied by {@link ConfigEditor}.
 */
final class PolicyPages {
    private static final List<String> RULE_FIELDS = List.of("name", "source", "trunk", "callingPrefixes",
            "calledPrefixes", "callingList", "calledList", "action", "identity", "delivery", "position");

    private final Supplier<ApplianceConfig> config;
    private final ConfigEditor editor;

    PolicyPages(Supplier<ApplianceConfig> config, ConfigEditor editor) {
        this.config = config;
        this.editor = editor;
    }

    Console.Response authentication(ConsoleSessions.Session s, String ok, String error, Map<String, String> form) {
        ApplianceConfig.Signing signing = config.get().signing();
        StringBuilder b = new StringBuilder(4096).append(Html.message("ok", ok)).append(Html.message("error", error));
        if (signing == null) {
            return page(s, b.append("<p>This appliance has no signing section: it signs nothing.</p>"), error);
        }
        b.append("<p>The first rule that matches decides. No rule matching: attestation <b id=\"default-attestation\">")
                .append(Html.esc(signing.attestation())).append("</b>, delivery ").append(Html.word(signing.delivery()))
                .append(".</p><table id=\"rules\"><tr><th>#</th><th>Name</th><th>Source</th><th>Trunk</th>")
                .append("<th>Calling</th><th>Called</th><th>Action</th><th>Identity</th><th>Delivery</th><th></th></tr>");
        List<AuthenticationPolicy.Rule> rules = signing.rules();
        for (int i = 0; i < rules.size(); i++) {
            AuthenticationPolicy.Rule r = rules.get(i);
            b.append("<tr><td>").append(i + 1).append("</td><td class=\"rule-name\">").append(Html.esc(r.name()))
                    .append("</td><td>").append(Html.esc(r.source())).append("</td><td>").append(Html.esc(r.more().trunk()))
                    .append("</td><td>").append(Html.esc(numbers(r.callingPrefix(), r.more().callingList())))
                    .append("</td><td>").append(Html.esc(numbers(r.calledPrefix(), r.more().calledList())))
                    .append("</td><td>").append(Html.word(r.action())).append("</td><td>")
                    .append(Html.esc(r.more().identity() == null ? "(default)" : r.more().identity()))
                    .append("</td><td>").append(r.delivery() == null ? "(default)" : Html.word(r.delivery()))
                    .append("</td><td>");
            if (s.role() == ConsoleUsers.Role.ADMIN) {
                b.append("<form method=\"post\" action=\"/console/authentication/remove\">").append(Html.csrf(s))
                        .append("<input type=\"hidden\" name=\"index\" value=\"").append(i).append("\">")
                        .append("<input type=\"hidden\" name=\"name\" value=\"").append(Html.esc(r.name())).append("\">")
                        .append("<button type=\"submit\" id=\"remove-").append(Html.esc(r.name()))
                        .append("\">Remove</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        lists(s, b);
        if (s.role() == ConsoleUsers.Role.ADMIN) {
            Map<String, String> errors = fieldErrors(error, RULE_FIELDS);
            List<String> ids = new ArrayList<>();
            for (IdentityConfig id : signing.identities()) {
                ids.add(id.name());
            }
            b.append("<h2>Add a rule</h2><form class=\"edit\" method=\"post\" action=\"/console/authentication/add\">")
                    .append(Html.csrf(s))
                    .append(Html.field("name", "Name", form.get("name"), errors.get("name"), "letters, digits, . _ -"))
                    .append(Html.field("position", "Position", form.getOrDefault("position",
                            Integer.toString(rules.size() + 1)), errors.get("position"), "1 is tried first"))
                    .append(Html.field("source", "Source", form.get("source"), errors.get("source"),
                            "an IP prefix such as 10.20.0.0/16 (empty: any)"))
                    .append(Html.field("trunk", "Trunk", form.get("trunk"), errors.get("trunk"), "empty: any"))
                    .append(Html.field("callingPrefixes", "Calling prefixes", form.get("callingPrefixes"),
                            errors.get("callingPrefixes"), "digits, comma separated (empty: any)"))
                    .append(Html.field("calledPrefixes", "Called prefixes", form.get("calledPrefixes"),
                            errors.get("calledPrefixes"), "digits, comma separated (empty: any)"))
                    .append(Html.field("callingList", "Calling number list", form.get("callingList"),
                            errors.get("callingList"), "a file of numbers and ranges (empty: none)"))
                    .append(Html.field("calledList", "Called number list", form.get("calledList"),
                            errors.get("calledList"), "a file of numbers and ranges (empty: none)"))
                    .append(Html.select("action", "Action", words(AuthenticationPolicy.Action.values()),
                            form.getOrDefault("action", "attest-a"), false))
                    .append(Html.select("identity", "Identity", ids, form.getOrDefault("identity", ""), true))
                    .append(Html.select("delivery", "Delivery", words(AuthenticationPolicy.Delivery.values()),
                            form.getOrDefault("delivery", ""), true))
                    .append("<button type=\"submit\" id=\"add-rule\">Add rule</button></form>");
        }
        return page(s, b, error);
    }

    private static Console.Response page(ConsoleSessions.Session s, StringBuilder body, String error) {
        return Console.Response.html(error == null ? 200 : 422, Html.page("authentication",
                "Authentication Policies", s, body.toString()));
    }

    Console.Response addRule(ConsoleSessions.Session s, Console.Request r, String user) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String f : RULE_FIELDS) {
            form.put(f, r.param(f));
        }
        String name = form.get("name");
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            return authentication(s, null, "name: a rule needs a name of letters, digits, . _ - (at most 64)", form);
        }
        ApplianceConfig.Signing running = config.get().signing();
        for (AuthenticationPolicy.Rule x : running == null ? List.<AuthenticationPolicy.Rule>of() : running.rules()) {
            if (x.name().equals(name)) {
                return authentication(s, null, "name: a rule named " + name + " exists already", form);
            }
        }
        StringBuilder item = new StringBuilder("{ name: ").append(YamlEdit.scalar(name));
        for (String f : List.of("source", "trunk", "callingList", "calledList")) {
            if (!form.get(f).isEmpty()) {
                item.append(", ").append(f).append(": ").append(YamlEdit.scalar(form.get(f)));
            }
        }
        for (String f : List.of("callingPrefixes", "calledPrefixes")) {
            if (form.get(f).isEmpty()) {
                continue;
            }
            List<String> ps = new ArrayList<>();
            for (String p : form.get(f).split("[,\\s]+")) {
                if (!p.matches("\\+?[0-9]{1,15}")) {
                    return authentication(s, null, f + ": '" + p + "' is not a number prefix (digits)", form);
                }
                ps.add("\"" + (p.startsWith("+") ? p.substring(1) : p) + "\""); // a number prefix is a string
            }
            item.append(", ").append(f).append(": [").append(String.join(", ", ps)).append(']');
        }
        item.append(", action: ").append(YamlEdit.scalar(form.get("action")));
        if (!form.get("identity").isEmpty()) {
            item.append(", identity: ").append(YamlEdit.scalar(form.get("identity")));
        }
        if (!form.get("delivery").isEmpty()) {
            item.append(", delivery: ").append(YamlEdit.scalar(form.get("delivery")));
        }
        item.append(" }");
        int position;
        try {
            position = Integer.parseInt(form.get("position").isEmpty() ? "100000" : form.get("position"));
            if (position < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            return authentication(s, null, "position: a number from 1", form);
        }
        ConfigEditor.Result res = editor.edit(user, r.address(), "add signing rule " + name + " at " + position,
                t -> YamlEdit.insertItem(t, List.of("signing", "rules"), item.toString(), position - 1));
        return res.ok() ? authentication(s, "rule " + name + " added and applied", null, Map.of())
                : authentication(s, null, res.error(), form);
    }

    /** The number lists the rules name (callingList, calledList), in the file's order. */
    private List<String> listFiles() {
        java.util.LinkedHashSet<String> files = new java.util.LinkedHashSet<>();
        try {
            String text = editor.text();
            for (String k : List.of("callingList", "calledList")) {
                files.addAll(YamlEdit.itemValues(text, List.of("signing", "rules"), k));
            }
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
        return new ArrayList<>(files);
    }

    /** The Number lists section: each list's file and entries, and (admin) its text to edit. */
    private void lists(ConsoleSessions.Session s, StringBuilder b) {
        List<String> files = listFiles();
        if (files.isEmpty()) {
            return;
        }
        int max = config.get().console().maxUploadBytes();
        b.append("<h2>Number lists</h2><table id=\"lists\"><tr><th>File</th><th>Entries</th></tr>");
        for (String f : files) {
            String entries;
            try {
                entries = NumberList.read(java.nio.file.Path.of(f)).toString();
            } catch (IOException | RuntimeException e) {
                entries = "unreadable: " + e.getMessage();
            }
            b.append("<tr><td><code>").append(Html.esc(f)).append("</code></td><td class=\"list-entries\">")
                    .append(Html.esc(entries)).append("</td></tr>");
        }
        b.append("</table>");
        if (s.role() != ConsoleUsers.Role.ADMIN) {
            return;
        }
        for (String f : files) {
            java.nio.file.Path p = java.nio.file.Path.of(f);
            try {
                if (java.nio.file.Files.size(p) > max) {
                    b.append("<p>").append(Html.esc(f)).append(" is larger than console.maxUploadBytes (").append(max)
                            .append("): edit it in the file, then reload.</p>");
                    continue;
                }
                b.append("<form class=\"edit\" method=\"post\" action=\"/console/authentication/list\">")
                        .append(Html.csrf(s)).append("<input type=\"hidden\" name=\"file\" value=\"").append(Html.esc(f))
                        .append("\"><label>").append(Html.esc(f)).append(" (a prefix or FIRST-LAST range per line)")
                        .append("<textarea name=\"content\" rows=\"8\" cols=\"50\">")
                        .append(Html.esc(java.nio.file.Files.readString(p))).append("</textarea></label>")
                        .append("<button type=\"submit\">Save list</button></form>");
            } catch (IOException e) {
                b.append(Html.message("error", f + " cannot be read: " + e.getMessage()));
            }
        }
    }

    Console.Response saveList(ConsoleSessions.Session s, Console.Request r, String user) {
        String f = r.param("file");
        if (!listFiles().contains(f)) {
            return authentication(s, null, "file: " + f + " is not the number list of any rule", Map.of());
        }
        String content = r.form().getOrDefault("content", "").replace("\r\n", "\n");
        if (!content.isEmpty() && !content.endsWith("\n")) {
            content += "\n";
        }
        java.nio.file.Path p = java.nio.file.Path.of(f);
        java.nio.file.Path check = null;
        try {
            check = java.nio.file.Files.createTempFile(p.toAbsolutePath().getParent(), ".console-check", ".txt");
            java.nio.file.Files.writeString(check, content);
            NumberList.read(check);
        } catch (IOException | RuntimeException e) {
            return authentication(s, null, f + ": " + e.getMessage().replace(String.valueOf(check), f), Map.of());
        } finally {
            try {
                if (check != null) {
                    java.nio.file.Files.deleteIfExists(check);
                }
            } catch (IOException ignored) {
                // a leftover temporary file, named as such
            }
        }
        ConfigEditor.Result res = editor.apply(user, r.address(), "number list " + f,
                Map.of(p, content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return res.ok() ? authentication(s, "number list " + f + " saved and applied", null, Map.of())
                : authentication(s, null, res.error(), Map.of());
    }

    Console.Response removeRule(ConsoleSessions.Session s, Console.Request r, String user) {
        String name = r.param("name");
        int index;
        try {
            index = Integer.parseInt(r.param("index"));
        } catch (NumberFormatException e) {
            return authentication(s, null, "which rule: the form names none", Map.of());
        }
        ApplianceConfig.Signing sg = config.get().signing();
        if (sg == null || index < 0 || index >= sg.rules().size() || !sg.rules().get(index).name().equals(name)) {
            return authentication(s, null, "the rules changed meanwhile: rule " + name + " is not number "
                    + (index + 1) + " any more; nothing removed", Map.of());
        }
        ConfigEditor.Result res = editor.edit(user, r.address(), "remove signing rule " + name,
                t -> YamlEdit.removeItem(t, List.of("signing", "rules"), index));
        return res.ok() ? authentication(s, "rule " + name + " removed and applied", null, Map.of())
                : authentication(s, null, res.error(), Map.of());
    }

    Console.Response verification(ConsoleSessions.Session s, String ok, String error) {
        ApplianceConfig c = config.get();
        StringBuilder b = new StringBuilder(4096).append(Html.message("ok", ok)).append(Html.message("error", error));
        if (c.verification() == null) {
            return Console.Response.html(200, Html.page("verification", "Verification Policies", s,
                    b.append("<p>This appliance has no verification section.</p>").toString()));
        }
        String text;
        try {
            text = editor.text();
        } catch (IOException e) {
            return Console.Response.html(500, Html.page("verification", "Verification Policies", s,
                    Html.message("error", "the configuration cannot be read: " + e.getMessage())));
        }
        List<String> actions = words(VerificationPolicy.Action.values());
        List<String> scopes = new ArrayList<>(List.of(""));
        for (ApplianceConfig.Point p : c.points()) {
            if (p.role() == io.shakengate.proxy.Role.VERIFY) {
                scopes.add(p.name());
            }
        }
        for (String scope : scopes) {
            boolean global = scope.isEmpty();
            Map<String, String> set = YamlEdit.scalars(text, global ? List.of("verification", "policy")
                    : List.of("verification", "pointPolicies", scope));
            b.append("<h2>").append(global ? "Every point" : "Point " + Html.esc(scope)).append("</h2>")
                    .append("<form class=\"edit\" method=\"post\" action=\"/console/verification/set\">")
                    .append(Html.csrf(s)).append("<input type=\"hidden\" name=\"point\" value=\"")
                    .append(Html.esc(scope)).append("\">");
            for (VerificationPolicy.OutcomeClass oc : VerificationPolicy.OutcomeClass.values()) {
                String k = Html.word(oc);
                b.append(Html.select((global ? "" : scope + ".") + k, k, actions,
                        set.getOrDefault(k, global ? "forward-verstat" : ""), !global));
            }
            if (s.role() == ConsoleUsers.Role.ADMIN) {
                b.append("<button type=\"submit\" id=\"save-").append(global ? "policy" : Html.esc(scope))
                        .append("\">Save</button>");
            }
            b.append("</form>");
        }
        b.append("<p>In force: <code id=\"policy-text\">").append(Html.esc(c.verification().policyText()))
                .append("</code>. A point's (default) takes the action of every point.</p>");
        return Console.Response.html(error == null ? 200 : 422, Html.page("verification", "Verification Policies", s,
                b.toString()));
    }

    Console.Response setVerification(ConsoleSessions.Session s, Console.Request r, String user) {
        String point = r.param("point");
        boolean global = point.isEmpty();
        List<String> base = global ? List.of("verification", "policy") : List.of("verification", "pointPolicies", point);
        List<String> allowed = words(VerificationPolicy.Action.values());
        Map<String, String> wanted = new LinkedHashMap<>();
        for (VerificationPolicy.OutcomeClass oc : VerificationPolicy.OutcomeClass.values()) {
            String k = Html.word(oc);
            String v = r.param((global ? "" : point + ".") + k);
            if (!v.isEmpty() && !allowed.contains(v)) {
                return verification(s, null, k + ": unknown action '" + v + "'");
            }
            if (v.isEmpty() && global) {
                return verification(s, null, k + ": every point needs an action");
            }
            wanted.put(k, v);
        }
        ConfigEditor.Result res = editor.edit(user, r.address(), "verification policy " + (global ? "of every point"
                : "of point " + point) + ": " + wanted, t -> {
            String out = t;
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                List<String> path = new ArrayList<>(base);
                path.add(e.getKey());
                String now = YamlEdit.scalars(out, base).get(e.getKey());
                if (e.getValue().isEmpty()) {
                    out = now == null ? out : YamlEdit.remove(out, path);
                } else if (!e.getValue().equals(now)) {
                    out = YamlEdit.set(out, path, e.getValue());
                }
            }
            if (!global && YamlEdit.keys(out, base).isEmpty()) {
                out = YamlEdit.remove(out, base);
                if (YamlEdit.keys(out, List.of("verification", "pointPolicies")).isEmpty()) {
                    out = YamlEdit.remove(out, List.of("verification", "pointPolicies"));
                }
            }
            return out;
        });
        return res.ok() ? verification(s, "verification policy saved and applied", null)
                : verification(s, null, res.error());
    }

    private static String numbers(List<String> prefixes, Object list) {
        String p = prefixes.isEmpty() ? "" : String.join(", ", prefixes) + "*";
        return list == null ? (p.isEmpty() ? "any" : p) : (p.isEmpty() ? "" : p + "; ") + "list";
    }

    private static List<String> words(Enum<?>[] values) {
        List<String> out = new ArrayList<>();
        for (Enum<?> e : values) {
            out.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return out;
    }

    /** The error placed beside each field whose name it mentions. */
    static Map<String, String> fieldErrors(String error, List<String> fields) {
        Map<String, String> out = new LinkedHashMap<>();
        if (error == null) {
            return out;
        }
        String lower = error.toLowerCase(Locale.ROOT);
        for (String f : fields) {
            String word = f.toLowerCase(Locale.ROOT);
            if (lower.startsWith(word + ":") || lower.contains("rule " + word) || lower.contains(" " + word + " ")
                    || lower.contains(word + " must") || (f.equals("source") && lower.contains("prefix")
                    && !lower.contains("prefixes"))) {
                out.put(f, error.contains("\n") ? error.substring(error.lastIndexOf('\n') + 1) : error);
            }
        }
        return out;
    }
}
