package io.shakengate.proxy;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The appliance's outgoing HTTP clients (x5u and linked-content fetchers, CPS clients), kept across reloads while
 * what they are built from is unchanged: one JDK {@code HttpClient} holds a selector thread, descriptors and its
 * pooled connections until it is collected, so a client per SIGHUP made threads and descriptors pile up between
 * collections (80 reloads: 25 to 110 descriptors, 21 to 64 threads). A recipe names everything a client is built
 * from (limits, settings, the digest of its TLS trust file); a changed recipe builds a new client. At most
 * {@link #MAX_RECIPES} are kept (then all are forgotten). Used at start and at reload, never on an event loop.
 */
final class FetchClients {
    static final int MAX_RECIPES = 16;

    private final ExecutorService executor;
    private final Map<String, Object> kept = new HashMap<>();

    FetchClients(ExecutorService executor) {
        this.executor = executor;
    }

    /** The executor the clients run their work on. */
    ExecutorService executor() {
        return executor;
    }

    /** The client built for {@code recipe}: the one kept, or {@code make}'s (kept from now on). */
    synchronized <T> T get(String recipe, Class<T> type, ServiceAssembly.FileRead<T> make) throws IOException {
        Object k = kept.get(recipe);
        if (type.isInstance(k)) {
            return type.cast(k);
        }
        T made = make.read();
        if (kept.size() >= MAX_RECIPES) {
            kept.clear();
        }
        kept.put(recipe, made);
        return made;
    }

    /** A recipe part for a TLS trust file: its SHA-256 (a changed bundle builds a new client), or "system". */
    static String trustDigest(String setting, java.nio.file.Path file) throws IOException {
        if (file == null) {
            return "system";
        }
        byte[] bytes = ServiceAssembly.readFile(setting, () -> java.nio.file.Files.readAllBytes(file));
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
