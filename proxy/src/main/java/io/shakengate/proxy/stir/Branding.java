package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.RichCallData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The branded-calling table: calling numbers (a canonical number, or a prefix ending in {@code *}) to the name
 * signed in an rcd PASSporT (RFC 9795), an optional logo URL and the logo's {@code rcdi} digest (W3C SRI,
 * {@code sha256-...}). The longest match wins. Read from a file, one entry per line:
 * <pre>
 *   # number-or-prefix | name | logo URL (optional) | rcdi digest of the logo (required with a logo)
 *   12155550121 | Example Clinic | https://brand.example/clinic.png | sha256-...
 *   1215555*    | Example Corp
 * </pre>
 * Reread with the configuration (SIGHUP). A bad line is an error naming the file and line.
 */
public final class Branding {
    /** One entry. */
    public record Brand(String match, String name, String logo, String logoDigest) {
        boolean matches(String tn) {
            return match.endsWith("*") ? tn.startsWith(match.substring(0, match.length() - 1)) : tn.equals(match);
        }
    }

    /** No branding. */
    public static final Branding NONE = new Branding(List.of());

    private final List<Brand> brands;

    /** A table of {@code brands} (matched longest first). */
    public Branding(List<Brand> brands) {
        List<Brand> sorted = new ArrayList<>(brands);
        sorted.sort(Comparator.comparingInt((Brand b) -> b.match().length()).reversed());
        this.brands = List.copyOf(sorted);
    }

    /** The brand of calling number {@code tn}, or null. */
    public Brand of(String tn) {
        if (tn == null) {
            return null;
        }
        for (Brand b : brands) {
            if (b.matches(tn)) {
                return b;
            }
        }
        return null;
    }

    /** How many entries. */
    public int size() {
        return brands.size();
    }

    /** Reads {@code file}; IllegalArgumentException naming the file and line for a bad line. */
    public static Branding read(Path file) throws IOException {
        List<Brand> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            String where = file + " line " + (i + 1) + ": ";
            if (f.length < 2 || f.length > 4) {
                throw new IllegalArgumentException(where + "expected number | name [| logo URL | rcdi digest]");
            }
            String match = f[0].strip();
            String digits = match.endsWith("*") ? match.substring(0, match.length() - 1) : match;
            if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(where + "'" + match + "' is not a number or a prefix ending in *");
            }
            String logo = f.length > 2 && !f[2].isBlank() ? f[2].strip() : null;
            String digest = f.length > 3 && !f[3].isBlank() ? f[3].strip() : null;
            if (logo != null && (!logo.startsWith("https://") || digest == null)) {
                throw new IllegalArgumentException(where + "a logo must be an https URL with its rcdi digest");
            }
            if (digest != null && !RichCallData.isIntegrity(digest)) {
                throw new IllegalArgumentException(where + "'" + digest + "' is not an rcdi digest (sha256-<base64>)");
            }
            out.add(new Brand(match, f[1].strip(), logo, digest));
        }
        return new Branding(out);
    }
}
