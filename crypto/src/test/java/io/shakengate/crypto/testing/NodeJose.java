package io.shakengate.crypto.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** node {@code jose} (an independent JOSE implementation, installed by .ci/run under .ci/npm), for interop tests. */
public final class NodeJose {
    private NodeJose() {
    }

    /** The folder where .ci/run installs node jose (.ci/npm at the repository root). */
    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(".ci/npm");
            if (Files.isDirectory(candidate.resolve("node_modules/jose"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("node jose is not installed: npm ci --prefix .ci/npm (.ci/run does it)");
    }

    public static String run(Path dir, String script, String... env) throws Exception {
        Path file = Files.createTempFile(dir, "jose-", ".mjs");
        try {
            Files.writeString(file, script);
            ProcessBuilder pb = new ProcessBuilder("node", file.toString()).redirectErrorStream(true);
            for (int i = 0; i < env.length; i += 2) {
                pb.environment().put(env[i], env[i + 1]);
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("node is not installed", e);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "node finished");
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

}
