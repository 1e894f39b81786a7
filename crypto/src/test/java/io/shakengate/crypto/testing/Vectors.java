package io.shakengate.crypto.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The test vectors copied under src/test/resources/io/shakengate/crypto/vectors (see its README). */
public final class Vectors {
    private Vectors() {
    }

    /** The text of vector file {@code name}, trimmed. */
    public static String text(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream("/io/shakengate/crypto/vectors/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no vector " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
