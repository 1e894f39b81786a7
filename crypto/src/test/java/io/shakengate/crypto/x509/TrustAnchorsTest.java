package io.shakengate.crypto.x509;

import io.shakengate.crypto.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustAnchorsTest {
    @TempDir
    Path dir;

    @Test
    void shouldLoadEveryCaOfADirectoryAndNameABadFile() throws Exception {
        TestPki a = new TestPki(System.currentTimeMillis());
        TestPki b = new TestPki(System.currentTimeMillis());
        Files.writeString(dir.resolve("a.pem"), a.root.certPem());
        Files.writeString(dir.resolve("b.crt"), b.root.certPem() + b.intermediate.certPem());
        Files.writeString(dir.resolve("notes.txt"), "ignored: not *.pem or *.crt");
        Set<TrustAnchor> anchors = TrustAnchors.load(dir, List.of(), new Date());
        assertEquals(3, anchors.size());

        Path leaf = Files.writeString(dir.resolve("leaf.pem"), a.endEntity(TestPki.Flaw.NONE).certPem());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustAnchors.load(dir, List.of(), new Date()));
        assertTrue(e.getMessage().contains("leaf.pem") && e.getMessage().contains("is not a CA"), e.getMessage());
        Files.delete(leaf);

        Path junk = Files.writeString(dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        e = assertThrows(IllegalArgumentException.class, () -> TrustAnchors.load(dir, List.of(), new Date()));
        assertTrue(e.getMessage().contains("junk.pem"), e.getMessage());
        Files.delete(junk);

        e = assertThrows(IllegalArgumentException.class, () -> TrustAnchors.load(dir, List.of(),
                new Date(System.currentTimeMillis() + 20L * 365 * 86_400_000L)));
        assertTrue(e.getMessage().contains("is not valid now"), e.getMessage());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(IllegalArgumentException.class, () -> TrustAnchors.load(empty, List.of(), new Date()));
        assertTrue(e.getMessage().contains("no *.pem or *.crt file there"), e.getMessage());
        assertEquals(1, TrustAnchors.load(null, List.of(dir.resolve("a.pem")), new Date()).size());
        // the setting may name a PEM bundle file instead of a directory
        assertEquals(2, TrustAnchors.load(dir.resolve("b.crt"), List.of(), new Date()).size());
        java.nio.file.NoSuchFileException missing = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> TrustAnchors.load(dir.resolve("nowhere"), List.of(), new Date()));
        assertTrue(missing.getMessage().contains("PEM bundle"), missing.getMessage());
    }
}
