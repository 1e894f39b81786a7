package io.shakengate.proxy.console;

import io.shakengate.crypto.passport.Json;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Every console change, made safe: the new configuration text is read by the same validator as
 * {@code check-config} (an error names its line), then each changed file is written atomically (a temporary
 * file beside it, renamed over it, its permissions kept), then the appliance reloads as on SIGHUP. A change the
 * validator or the reload refuses changes nothing: the files written are put back as they were. Each change
 * that took is appended to the audit log as one JSON line: time, user, address, what, and the diff of every
 * file (its changed lines, {@code -} old and {@code +} new). Changes are made one at a time.
 */
public final class ConfigEditor {
    /** Reloads the running appliance from the configuration file. */
    public interface Reloader {
        /** Applies the file as SIGHUP would; throws with the reason when it is refused. */
        void reload() throws Exception;
    }

    /** The outcome: null error when applied. */
    public record Result(String error) {
        /** Whether the change took. */
        public boolean ok() {
            return error == null;
        }
    }

    private final Path config;
    private final Path audit;
    private final Reloader reloader;

    /** Edits {@code config}, reloading with {@code reloader}, auditing to {@code audit}. */
    public ConfigEditor(Path config, Path audit, Reloader reloader) {
        this.config = config;
        this.audit = audit;
        this.reloader = reloader;
    }

    /** The configuration file as it is now. */
    public String text() throws IOException {
        return Files.readString(config, StandardCharsets.UTF_8);
    }

    /** The configuration file. */
    public Path file() {
        return config;
    }

    /** Applies an edit of the configuration text. */
    public synchronized Result edit(String user, String address, String what, UnaryOperator<String> edit) {
        String old;
        String next;
        try {
            old = text();
            next = edit.apply(old);
        } catch (IOException e) {
            return new Result("the configuration cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new Result(e.getMessage());
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(config, next.getBytes(StandardCharsets.UTF_8));
        return apply(user, address, what, files);
    }

    /**
     * Writes {@code files} (null content: delete), the configuration among them or not, validates the
     * configuration, reloads; on any refusal puts every file back.
     */
    public synchronized Result apply(String user, String address, String what, Map<Path, byte[]> files) {
        Map<Path, byte[]> before = new LinkedHashMap<>();
        try {
            byte[] text = files.containsKey(config) ? files.get(config) : Files.readAllBytes(config);
            ApplianceConfig.parse(new String(text, StandardCharsets.UTF_8), config.toString());
            for (Path p : files.keySet()) {
                before.put(p, Files.exists(p) ? Files.readAllBytes(p) : null);
            }
            // the audit log must take the line before anything changes
            Files.write(audit, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (ConfigException e) {
            return new Result(e.getMessage());
        } catch (IOException e) {
            return new Result("nothing changed: " + e.getMessage());
        }
        try {
            for (Map.Entry<Path, byte[]> e : files.entrySet()) {
                write(e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            String undo = restore(before);
            return new Result("nothing changed: " + e.getMessage() + " cannot be written by this process (under"
                    + " systemd the unit's ProtectSystem=strict keeps /etc read-only: see ReadWritePaths in"
                    + " proxy/README.md)" + undo);
        }
        try {
            reloader.reload();
        } catch (Exception e) {
            String undo = restore(before);
            return new Result("the reload refused it, nothing changed: " + e.getMessage() + undo);
        }
        try {
            Files.writeString(audit, line(user, address, what, before, files) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            return new Result("applied, but the audit log " + audit + " failed: " + e.getMessage());
        }
        return new Result(null);
    }

    private String restore(Map<Path, byte[]> before) {
        try {
            for (Map.Entry<Path, byte[]> e : before.entrySet()) {
                write(e.getKey(), e.getValue());
            }
            reloader.reload();
            return "";
        } catch (Exception e) {
            return " (putting the files back failed too: " + e.getMessage() + ")";
        }
    }

    private static void write(Path p, byte[] content) throws IOException {
        if (content == null) {
            Files.deleteIfExists(p);
            return;
        }
        Path tmp = p.resolveSibling("." + p.getFileName() + ".console-tmp");
        Files.write(tmp, content);
        if (Files.exists(p)) {
            try {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(p));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX
            }
        }
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String line(String user, String address, String what, Map<Path, byte[]> before,
                               Map<Path, byte[]> after) {
        StringBuilder b = new StringBuilder(512).append("{\"time\":\"").append(java.time.Instant.now())
                .append("\",\"user\":");
        Json.quote(b, user).append(",\"address\":");
        Json.quote(b, address).append(",\"change\":");
        Json.quote(b, what).append(",\"files\":[");
        boolean first = true;
        for (Path p : after.keySet()) {
            b.append(first ? "" : ",").append("{\"file\":");
            first = false;
            Json.quote(b, p.toString()).append(",\"diff\":[");
            List<String> d = diff(lines(before.get(p)), lines(after.get(p)));
            for (int i = 0; i < d.size(); i++) {
                Json.quote(b.append(i == 0 ? "" : ","), d.get(i));
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }

    private static List<String> lines(byte[] b) {
        return b == null ? List.of() : List.of(new String(b, StandardCharsets.UTF_8).split("\n", -1));
    }

    /** The changed lines between the common head and tail of {@code a} and {@code b}. */
    static List<String> diff(List<String> a, List<String> b) {
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        List<String> out = new ArrayList<>();
        out.add("@@ line " + (head + 1));
        for (int i = head; i < a.size() - tail; i++) {
            out.add("-" + a.get(i));
        }
        for (int i = head; i < b.size() - tail; i++) {
            out.add("+" + b.get(i));
        }
        return out;
    }
}
