package io.shakengate.proxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The errors one reading of a configuration found: a section (or listening point) that fails is left out and
 * the reading goes on, so that {@code check-config} names every error it can find, each with its line; the
 * checks that depend on a failed section are skipped rather than reported as second errors.
 */
final class ConfigErrors {
    private final List<String> found = new ArrayList<>();

    /** {@code read}'s value, or null after noting its error. */
    <T> T section(Supplier<T> read) {
        try {
            return read.get();
        } catch (ConfigException e) {
            found.add(e.getMessage());
            return null;
        }
    }

    /** Notes an error. */
    void add(ConfigException e) {
        found.add(e.getMessage());
    }

    boolean any() {
        return !found.isEmpty();
    }

    /**
     * One exception naming every error, each on its own line prefixed with {@code source} (a single error reads
     * as it always did).
     */
    ConfigException all(String source) {
        StringBuilder b = new StringBuilder();
        if (found.size() > 1) {
            b.append(source).append(": ").append(found.size()).append(" errors\n");
        }
        for (int i = 0; i < found.size(); i++) {
            String m = found.get(i);
            b.append(i == 0 ? "" : "\n").append(m.startsWith(source) ? m : source + ": " + m);
        }
        return new ConfigException(b.toString());
    }
}
