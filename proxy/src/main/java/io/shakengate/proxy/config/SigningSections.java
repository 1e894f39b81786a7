package io.shakengate.proxy.config;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.config.ApplianceConfig.Signing;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import org.snakeyaml.engine.v2.nodes.Node;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.shakengate.proxy.config.ApplianceConfig.required;

/**
 * The reader of the {@code signing} section: its identities (or the single {@code key} and {@code x5u} of
 * one identity named {@code default}), the authentication rules, and the certificate repository. Every error
 * names its line.
 *
 * <pre>
 * signing:
 *   identities:
 *     - { name: carrier, key: /etc/shakengate/keys/carrier.pem, chain: /etc/shakengate/certs/carrier.pem,
 *         x5u: "https://certs.example.net/sti/carrier.pem" }
 *     - name: enterprise                 # a delegate certificate: signs only for its numbers
 *       key: /etc/shakengate/keys/enterprise.pem
 *       chain: /etc/shakengate/certs/enterprise.pem
 *       x5u: "https://certs.example.net/sti/enterprise.pem"
 *       scope: "12025550100-12025550199"  # optional; default the chain's TNAuthList
 *       acme: { directory: "https://sti-ca.example/acme/directory", spc: "1234", ... }
 *   identity: carrier                    # the default identity (default: the first)
 *   rules:
 *     - { name: enterprise, callingPrefixes: ["1202555"], action: attest-a, identity: enterprise }
 *   repository: { listen: "0.0.0.0:8443", certificate: /etc/shakengate/repo/cert.pem,
 *                 key: /etc/shakengate/repo/key.pem }
 * </pre>
 */
final class SigningSections {
    private SigningSections() {
    }

    static Signing signing(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "signing", Set.of("key", "x5u", "chain", "identities", "identity",
                "attestation", "rules", "delivery", "trunkHeader", "calledNumber", "repository", "decisionLog"));
        boolean calledFromRequestUri = false;
        if (m.containsKey("calledNumber")) {
            String v = YamlNodes.scalar(m.get("calledNumber"), "signing.calledNumber");
            if (!v.equals("to") && !v.equals("request-uri")) {
                throw YamlNodes.error(m.get("calledNumber"), "signing.calledNumber must be to or request-uri, was '"
                        + v + "'");
            }
            calledFromRequestUri = v.equals("request-uri");
        }
        List<IdentityConfig> identities = new ArrayList<>();
        if (m.containsKey("identities")) {
            for (String single : List.of("key", "x5u", "chain")) {
                if (m.containsKey(single)) {
                    throw YamlNodes.error(m.get(single), "signing." + single + " and signing.identities do not go "
                            + "together: give the key, chain and x5u in an identity");
                }
            }
            Set<String> names = new HashSet<>();
            for (Node i : YamlNodes.sequence(m.get("identities"), "signing.identities")) {
                IdentityConfig id = identity(i);
                if (!names.add(id.name())) {
                    throw YamlNodes.error(i, "a second signing identity named '" + id.name() + "'");
                }
                identities.add(id);
            }
            if (identities.isEmpty()) {
                throw YamlNodes.error(m.get("identities"), "signing.identities is empty");
            }
        } else {
            String x5u = x5u(required(m, "x5u", n, "signing"), "signing.x5u");
            identities.add(new IdentityConfig("default", Path.of(YamlNodes.scalar(required(m, "key", n, "signing"),
                    "signing.key")), m.containsKey("chain") ? Path.of(YamlNodes.scalar(m.get("chain"),
                    "signing.chain")) : null, x5u, null, null));
        }
        Set<String> names = new HashSet<>();
        identities.forEach(i -> names.add(i.name()));
        String defaultIdentity = null;
        if (m.containsKey("identity")) {
            defaultIdentity = YamlNodes.scalar(m.get("identity"), "signing.identity");
            if (!names.contains(defaultIdentity)) {
                throw YamlNodes.error(m.get("identity"), "signing.identity names no identity: '" + defaultIdentity
                        + "' (identities: " + names + ")");
            }
        }
        Attestation attest = m.containsKey("attestation")
                ? YamlNodes.choice(m.get("attestation"), "signing.attestation", Attestation.class) : Attestation.A;
        List<AuthenticationPolicy.Rule> rules = new ArrayList<>();
        if (m.containsKey("rules")) {
            for (Node r : YamlNodes.sequence(m.get("rules"), "signing.rules")) {
                rules.add(rule(r, rules.size(), names));
            }
        }
        RepositoryConfig repository = null;
        if (m.containsKey("repository")) {
            Node r = m.get("repository");
            Map<String, Node> rm = YamlNodes.mapping(r, "signing.repository", Set.of("listen", "certificate", "key"));
            repository = new RepositoryConfig(ApplianceConfig.address(required(rm, "listen", r, "signing.repository"),
                    "signing.repository.listen"), Path.of(YamlNodes.scalar(required(rm, "certificate", r,
                    "signing.repository"), "signing.repository.certificate")), Path.of(YamlNodes.scalar(required(rm,
                    "key", r, "signing.repository"), "signing.repository.key")));
        }
        return new Signing(List.copyOf(identities), defaultIdentity, attest, List.copyOf(rules),
                m.containsKey("delivery") ? YamlNodes.choice(m.get("delivery"), "signing.delivery",
                AuthenticationPolicy.Delivery.class) : AuthenticationPolicy.Delivery.IN_BAND,
                m.containsKey("trunkHeader") ? YamlNodes.scalar(m.get("trunkHeader"), "signing.trunkHeader") : null,
                calledFromRequestUri, repository, StirSections.decisionLog(m.get("decisionLog"), "signing.decisionLog"));
    }

    private static String x5u(Node n, String what) {
        String x5u = YamlNodes.scalar(n, what);
        if (!x5u.startsWith("https://")) {
            throw YamlNodes.error(n, what + " must be an https URL, was '" + x5u + "'");
        }
        try {
            URI.create(x5u);
        } catch (IllegalArgumentException e) {
            throw YamlNodes.error(n, what + " is not a URL: " + e.getMessage());
        }
        return x5u;
    }

    private static IdentityConfig identity(Node i) {
        Map<String, Node> im = YamlNodes.mapping(i, "a signing identity", Set.of("name", "key", "chain", "x5u",
                "scope", "acme"));
        String name = YamlNodes.scalar(required(im, "name", i, "signing.identities[]"), "identity name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw YamlNodes.error(im.get("name"), "an identity name is 1 to 64 letters, digits, '.', '_' or '-', was '"
                    + name + "'");
        }
        String what = "identity '" + name + "'";
        TnAuthList scope = null;
        if (im.containsKey("scope")) {
            scope = tnAuthList(im.get("scope"), what + " scope");
        }
        if (im.containsKey("acme") && !im.containsKey("chain")) {
            throw YamlNodes.error(im.get("acme"), what + " renews through acme, so it needs chain: (where the renewed "
                    + "chain is written)");
        }
        return new IdentityConfig(name, Path.of(YamlNodes.scalar(required(im, "key", i, what), what + " key")),
                im.containsKey("chain") ? Path.of(YamlNodes.scalar(im.get("chain"), what + " chain")) : null,
                x5u(required(im, "x5u", i, what), what + " x5u"), scope,
                im.containsKey("acme") ? acme(im.get("acme"), what) : null);
    }

    private static TnAuthList tnAuthList(Node n, String what) {
        try {
            return TnAuthList.parseText(String.join(" ", n instanceof org.snakeyaml.engine.v2.nodes.SequenceNode
                    ? YamlNodes.strings(n, what) : List.of(YamlNodes.scalar(n, what))));
        } catch (IllegalArgumentException e) {
            throw YamlNodes.error(n, what + ": " + e.getMessage());
        }
    }

    private static IdentityConfig.Acme acme(Node a, String identity) {
        String what = identity + " acme";
        Map<String, Node> am = YamlNodes.mapping(a, what, Set.of("directory", "accountKey", "contact", "spc",
                "tnAuthList", "tokenEndpoint", "tokenAuth", "tokenFile", "trust", "renewAt", "retrySeconds",
                "timeoutSeconds"));
        URI directory = uri(required(am, "directory", a, what), what + " directory");
        TnAuthList tn;
        if (am.containsKey("spc") == am.containsKey("tnAuthList")) {
            throw YamlNodes.error(a, what + " needs one of spc (a service provider's certificate) or tnAuthList "
                    + "(a delegate's numbers)");
        } else if (am.containsKey("spc")) {
            String spc = YamlNodes.scalar(am.get("spc"), what + " spc");
            if (!spc.matches("[0-9A-Za-z]{4,5}")) {
                throw YamlNodes.error(am.get("spc"), what + " spc must be 4 or 5 letters and digits, was '" + spc + "'");
            }
            tn = TnAuthList.ofSpc(spc);
        } else {
            tn = tnAuthList(am.get("tnAuthList"), what + " tnAuthList");
            if (!tn.delegate()) {
                throw YamlNodes.error(am.get("tnAuthList"), what + " tnAuthList holds numbers only (use spc for an SPC)");
            }
        }
        if (am.containsKey("tokenEndpoint") == am.containsKey("tokenFile")) {
            throw YamlNodes.error(a, what + " needs one of tokenEndpoint (the STI-PA token API) or tokenFile");
        }
        double renewAt = 2.0 / 3;
        if (am.containsKey("renewAt")) {
            String v = YamlNodes.scalar(am.get("renewAt"), what + " renewAt");
            try {
                renewAt = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                renewAt = -1;
            }
            if (!(renewAt >= 0.1 && renewAt <= 0.95)) {
                throw YamlNodes.error(am.get("renewAt"), what + " renewAt must be a fraction of the lifetime from "
                        + "0.1 to 0.95, was '" + v + "'");
            }
        }
        return new IdentityConfig.Acme(directory, Path.of(YamlNodes.scalar(required(am, "accountKey", a, what),
                what + " accountKey")), am.containsKey("contact") ? YamlNodes.scalar(am.get("contact"),
                what + " contact") : null, tn, am.containsKey("tokenEndpoint") ? uri(am.get("tokenEndpoint"),
                what + " tokenEndpoint") : null, path(am, "tokenAuth", what), path(am, "tokenFile", what),
                path(am, "trust", what), renewAt, am.containsKey("retrySeconds") ? YamlNodes.integer(
                am.get("retrySeconds"), what + " retrySeconds", 1, 86400) : 60,
                am.containsKey("timeoutSeconds") ? YamlNodes.integer(am.get("timeoutSeconds"),
                what + " timeoutSeconds", 1, 600) : 30);
    }

    private static Path path(Map<String, Node> m, String key, String what) {
        return m.containsKey(key) ? Path.of(YamlNodes.scalar(m.get(key), what + " " + key)) : null;
    }

    private static URI uri(Node n, String what) {
        String v = YamlNodes.scalar(n, what);
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                throw YamlNodes.error(n, what + " must be an https URL, was '" + v + "'");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw YamlNodes.error(n, what + " is not a URL: '" + v + "'");
        }
    }

    private static AuthenticationPolicy.Rule rule(Node r, int index, Set<String> identities) {
        Map<String, Node> rm = YamlNodes.mapping(r, "a signing rule",
                Set.of("name", "source", "callingPrefixes", "calledPrefixes", "action", "delivery", "trunk",
                        "callingList", "calledList", "fromHeaders", "identity"));
        String identity = null;
        if (rm.containsKey("identity")) {
            identity = YamlNodes.scalar(rm.get("identity"), "rule identity");
            if (!identities.contains(identity)) {
                throw YamlNodes.error(rm.get("identity"), "the rule's identity names no signing identity: '"
                        + identity + "' (identities: " + identities + ")");
            }
        }
        try {
            return new AuthenticationPolicy.Rule(
                    rm.containsKey("name") ? YamlNodes.scalar(rm.get("name"), "rule name") : "rule-" + index,
                    rm.containsKey("source") ? YamlNodes.scalar(rm.get("source"), "rule source") : null,
                    rm.containsKey("callingPrefixes") ? YamlNodes.strings(rm.get("callingPrefixes"),
                            "callingPrefixes") : List.of(),
                    rm.containsKey("calledPrefixes") ? YamlNodes.strings(rm.get("calledPrefixes"),
                            "calledPrefixes") : List.of(),
                    YamlNodes.choice(required(rm, "action", r, "rule"), "rule action",
                            AuthenticationPolicy.Action.class),
                    rm.containsKey("delivery") ? YamlNodes.choice(rm.get("delivery"), "rule delivery",
                            AuthenticationPolicy.Delivery.class) : null,
                    new AuthenticationPolicy.More(
                            rm.containsKey("trunk") ? YamlNodes.scalar(rm.get("trunk"), "rule trunk") : null,
                            rm.containsKey("callingList") ? StirSections.numberList(rm.get("callingList"),
                                    "callingList") : null,
                            rm.containsKey("calledList") ? StirSections.numberList(rm.get("calledList"),
                                    "calledList") : null,
                            rm.containsKey("fromHeaders") && YamlNodes.bool(rm.get("fromHeaders"), "rule fromHeaders"),
                            identity));
        } catch (IllegalArgumentException e) {
            throw YamlNodes.error(r, e.getMessage());
        }
    }
}
