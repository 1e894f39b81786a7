package io.shakengate.proxy.config;

import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import org.snakeyaml.engine.v2.nodes.Node;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code blocking}, {@code emergency} and {@code passports} sections: how blocks are answered (603+), which
 * calls are emergency calls, and the PASSporT family (how many Identity headers a call may have looked at,
 * div signing, the branded-calling table, the authorised Resource-Priority namespaces, how verified Rich Call
 * Data is shown, whether rcdi digests are checked). Every section is optional.
 */
public final class FamilyConfig {
    /** The most Identity header values a call may have looked at, by default. */
    public static final int DEFAULT_MAX_PER_CALL = io.shakengate.proxy.stir.VerificationService.DEFAULT_MAX_PASSPORTS;

    /**
     * The settings.
     *
     * @param emergency    the emergency calls
     * @param blocking     how blocks are answered
     * @param priorities   the authorised Resource-Priority namespaces (lower case)
     * @param branding     the branded-calling table (empty when none)
     * @param signDiv      whether a diverted call gets a div PASSporT at a sign point
     * @param presentRcd   how verified Rich Call Data is shown
     * @param checkRcdi    whether rcdi digests are checked by fetching the content they cover
     * @param maxPerCall   the most Identity header values a call may have looked at
     */
    public record Settings(Emergency emergency, Blocking blocking, Set<String> priorities, Branding branding,
                           boolean signDiv, Family.Presentation presentRcd, boolean checkRcdi, int maxPerCall) {
        /** Every default. */
        public static final Settings DEFAULT = new Settings(Emergency.DEFAULT, Blocking.NONE, Set.of(), Branding.NONE,
                true, Family.Presentation.BOTH, true, DEFAULT_MAX_PER_CALL);

        /** The services' family settings, fetching rcd content with {@code fetcher} when digests are checked. */
        public Family family(io.shakengate.crypto.cache.CertificateFetcher fetcher) {
            return new Family(emergency, blocking, priorities, branding, checkRcdi ? fetcher : null, signDiv,
                    presentRcd);
        }
    }

    /** The top-level keys this class reads. */
    static final Set<String> KEYS = Set.of("blocking", "emergency", "passports");

    private FamilyConfig() {
    }

    /** The settings of the configuration's top-level mapping {@code top}. */
    static Settings parse(Map<String, Node> top) {
        Settings d = Settings.DEFAULT;
        Blocking blocking = top.containsKey("blocking") ? blocking(top.get("blocking")) : d.blocking();
        Emergency emergency = d.emergency();
        if (top.containsKey("emergency")) {
            Map<String, Node> m = YamlNodes.mapping(top.get("emergency"), "emergency", Set.of("numbers", "urns"));
            emergency = new Emergency(m.containsKey("numbers") ? Set.copyOf(numbers(m.get("numbers")))
                    : emergency.numbers(), m.containsKey("urns") ? urns(m.get("urns")) : emergency.urns());
        }
        if (!top.containsKey("passports")) {
            return new Settings(emergency, blocking, d.priorities(), d.branding(), d.signDiv(), d.presentRcd(),
                    d.checkRcdi(), d.maxPerCall());
        }
        Node n = top.get("passports");
        Map<String, Node> m = YamlNodes.mapping(n, "passports", Set.of("maxPerCall", "signDiv", "branding",
                "priorities", "presentRcd", "checkRcdi"));
        Set<String> priorities = new HashSet<>();
        if (m.containsKey("priorities")) {
            for (String p : YamlNodes.strings(m.get("priorities"), "passports.priorities")) {
                String ns = p.trim().toLowerCase(Locale.ROOT);
                if (ns.isEmpty() || !ns.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                    throw YamlNodes.error(m.get("priorities"), "passports.priorities: '" + p
                            + "' is not a Resource-Priority namespace (RFC 4412, e.g. ets, wps)");
                }
                priorities.add(ns);
            }
        }
        Branding branding = d.branding();
        if (m.containsKey("branding")) {
            Path file = Path.of(YamlNodes.scalar(m.get("branding"), "passports.branding"));
            try {
                branding = Branding.read(file);
            } catch (NoSuchFileException e) {
                throw YamlNodes.error(m.get("branding"), "passports.branding: no such file: " + file);
            } catch (IOException | IllegalArgumentException e) {
                throw YamlNodes.error(m.get("branding"), "passports.branding: " + e.getMessage());
            }
        }
        return new Settings(emergency, blocking, Set.copyOf(priorities), branding,
                !m.containsKey("signDiv") || YamlNodes.bool(m.get("signDiv"), "passports.signDiv"),
                m.containsKey("presentRcd") ? YamlNodes.choice(m.get("presentRcd"), "passports.presentRcd",
                        Family.Presentation.class) : d.presentRcd(),
                !m.containsKey("checkRcdi") || YamlNodes.bool(m.get("checkRcdi"), "passports.checkRcdi"),
                m.containsKey("maxPerCall") ? YamlNodes.integer(m.get("maxPerCall"), "passports.maxPerCall", 1, 32)
                        : d.maxPerCall());
    }

    private static Blocking blocking(Node n) {
        Map<String, Node> m = YamlNodes.mapping(n, "blocking", Set.of("location", "url", "tel", "email", "jwscard",
                "serveJwscard", "name"));
        boolean serve = m.containsKey("serveJwscard") && YamlNodes.bool(m.get("serveJwscard"), "blocking.serveJwscard");
        if (serve && (!m.containsKey("jwscard") || !(m.containsKey("url") || m.containsKey("tel")
                || m.containsKey("email")))) {
            throw YamlNodes.error(m.get("serveJwscard"), "blocking.serveJwscard needs blocking.jwscard (the URL it is"
                    + " served at) and a contact for the jCard (url, tel or email)");
        }
        if (serve && !text(m, "jwscard").startsWith("https://")) {
            throw YamlNodes.error(m.get("jwscard"), "blocking.jwscard must be an https URL to be served here");
        }
        try {
            return new Blocking(m.containsKey("location") ? YamlNodes.scalar(m.get("location"), "blocking.location")
                    .trim() : Blocking.NONE.location(), text(m, "url"), text(m, "tel"), text(m, "email"),
                    text(m, "jwscard"), serve, m.containsKey("name") ? YamlNodes.scalar(m.get("name"), "blocking.name")
                    : null);
        } catch (IllegalArgumentException e) {
            throw YamlNodes.error(n, e.getMessage());
        }
    }

    /** A jwscard served by the certificate repository needs one (signing.repository). */
    static Void checkServed(Node blocking, Settings family, ApplianceConfig.Signing signing) {
        if (family != null && family.blocking().serveJwscard() && (signing == null || signing.repository() == null)) {
            throw YamlNodes.error(blocking, "blocking.serveJwscard: the jCard JWS is served by the certificate"
                    + " repository: add signing.repository");
        }
        return null;
    }

    private static String text(Map<String, Node> m, String key) {
        return m.containsKey(key) ? YamlNodes.scalar(m.get(key), "blocking." + key).trim() : null;
    }

    private static List<String> numbers(Node n) {
        List<String> out = YamlNodes.strings(n, "emergency.numbers");
        for (String s : out) {
            if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) {
                throw YamlNodes.error(n, "emergency.numbers: '" + s + "' is not a number of digits");
            }
        }
        return out;
    }

    private static List<String> urns(Node n) {
        List<String> out = YamlNodes.strings(n, "emergency.urns");
        for (String s : out) {
            if (!s.toLowerCase(Locale.ROOT).startsWith("urn:service:")) {
                throw YamlNodes.error(n, "emergency.urns: '" + s + "' is not a service URN (urn:service:...)");
            }
        }
        return out;
    }
}
