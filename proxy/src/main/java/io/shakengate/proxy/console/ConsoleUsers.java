package io.shakengate.proxy.console;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's users: a file of {@code NAME ROLE HASH} lines ({@code #} comments), the role {@code viewer}
 * or {@code admin}, the hash bcrypt ({@code $2a$}/{@code $2b$}/{@code $2y$}, BouncyCastle's OpenBSDBCrypt).
 * The file is reread when its modification time changes. Checking a password takes a bcrypt round (tens of
 * milliseconds at cost 10 and up): it runs on the console's own thread, never an event loop. An unknown user
 * costs the same round as a known one, so timing does not tell which names exist.
 */
public final class ConsoleUsers {
    /** A role. */
    public enum Role { VIEWER, ADMIN }

    /** A user of the file. */
    public record User(String name, Role role, String hash) {
    }

    /** The bcrypt cost of hashes this class makes. */
    public static final int COST = 12;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the user is unknown (same cost as a real check). */
    private static final String DUMMY = OpenBSDBCrypt.generate("not-a-password".toCharArray(), salt(), COST);

    private final Path file;
    private FileTime read;
    private Map<String, User> users = Map.of();
    private String problem;

    /** The users of {@code file} (read at the first use, and again when it changes). */
    public ConsoleUsers(Path file) {
        this.file = file;
    }

    /** The user's role if {@code password} is theirs, else null. */
    public synchronized User check(String name, String password) {
        refresh();
        User u = users.get(name);
        char[] pw = password.toCharArray();
        boolean ok;
        try {
            ok = OpenBSDBCrypt.checkPassword(u == null ? DUMMY : u.hash(), pw);
        } catch (IllegalArgumentException e) {
            ok = false;
        }
        return ok && u != null ? u : null;
    }

    /** The users file. */
    public Path file() {
        return file;
    }

    /** What is wrong with the file (it then has no users), or null. */
    public synchronized String problem() {
        refresh();
        return problem;
    }

    private void refresh() {
        try {
            FileTime t = Files.getLastModifiedTime(file);
            if (t.equals(read)) {
                return;
            }
            users = parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
            problem = null;
            read = t;
        } catch (IOException | IllegalArgumentException e) {
            users = Map.of();
            read = null;
            problem = e instanceof IOException ? "console.users " + file + " cannot be read: " + e.getMessage()
                    : e.getMessage();
        }
    }

    /** Parses the lines of a users file; a bad line is refused, naming it. */
    static Map<String, User> parse(List<String> lines, String source) {
        Map<String, User> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            String where = source + ":" + (i + 1) + ": ";
            if (f.length != 3 || !NAME.matcher(f[0]).matches()) {
                throw new IllegalArgumentException(where + "expected NAME ROLE BCRYPT-HASH");
            }
            Role role = switch (f[1]) {
                case "admin" -> Role.ADMIN;
                case "viewer" -> Role.VIEWER;
                default -> throw new IllegalArgumentException(where + "role must be admin or viewer, was " + f[1]);
            };
            if (!f[2].matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new IllegalArgumentException(where + "the hash is not bcrypt ($2a$/$2b$/$2y$)");
            }
            if (out.put(f[0], new User(f[0], role, f[2])) != null) {
                throw new IllegalArgumentException(where + "user " + f[0] + " appears twice");
            }
        }
        return out;
    }

    /** A bcrypt hash of {@code password} at {@link #COST}. */
    public static String hash(char[] password) {
        return OpenBSDBCrypt.generate(password, salt(), COST);
    }

    /**
     * Adds or replaces {@code name} in {@code file} with {@code role} and the hash of {@code password}, keeping
     * the other lines, written atomically (mode 0600 when the file is new).
     */
    public static void put(Path file, String name, String role, char[] password) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a user name is 1 to 64 of A-Z a-z 0-9 . _ @ -, was '" + name + "'");
        }
        if (!role.equals("admin") && !role.equals("viewer")) {
            throw new IllegalArgumentException("role must be admin or viewer, was '" + role + "'");
        }
        if (password.length < 12) {
            throw new IllegalArgumentException("a console password has at least 12 characters");
        }
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>(List.of("# shakengate console users: NAME ROLE BCRYPT-HASH"));
        lines.removeIf(l -> l.trim().split("\\s+")[0].equals(name));
        lines.add(name + " " + role + " " + hash(password));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] salt() {
        byte[] s = new byte[16];
        RANDOM.nextBytes(s);
        return s;
    }
}
