package io.shakengate.proxy.config;

import com.sun.net.httpserver.HttpServer;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The STI-PA CRL fetched from its URL: the first one at start when the file is missing, a new one applied like
 * a reload, an unchanged one ignored, a forged or missing one refused with the running CRL kept, and a start
 * whose first fetch fails refused with the reason.
 */
class CrlFetchTest {
    @TempDir
    Path dir;

    @Test
    void fetchedCheckedWrittenAndApplied() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        AtomicReference<byte[]> served = new AtomicReference<>(pki.crlRevoking(pki.endEntity(TestPki.Flaw.NONE).cert())
                .getEncoded());
        AtomicInteger status = new AtomicInteger(200);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/sti-pa/crl", x -> {
            byte[] b = served.get();
            x.sendResponseHeaders(status.get(), status.get() == 200 ? b.length : -1);
            if (status.get() == 200) {
                x.getResponseBody().write(b);
            }
            x.close();
        });
        http.start();
        try {
            Path anchors = Files.createDirectory(dir.resolve("sti-ca"));
            Files.writeString(anchors.resolve("root.pem"), pki.root.certPem());
            Path signer = Files.writeString(dir.resolve("signer.pem"), pki.intermediate.certPem());
            Path root = Files.writeString(dir.resolve("root.pem"), pki.root.certPem());
            Path file = dir.resolve("sti-pa.crl");
            String yaml = String.join("\n",
                    "verification:",
                    "  trustAnchors: " + anchors,
                    "  crl: { file: " + file + ", signerChain: " + signer + ", root: " + root + ",",
                    "         url: \"http://127.0.0.1:" + http.getAddress().getPort() + "/sti-pa/crl\", refreshSeconds: 3600 }",
                    "listeningPoints:",
                    "  - { name: in, listen: \"127.0.0.1:0\", role: verify, nextHop: \"127.0.0.1:9\" }",
                    "");
            ApplianceConfig c = ApplianceConfig.parse(yaml, "t.yaml");
            assertTrue(c.describe().contains("fetched from http://127.0.0.1:"), c.describe());

            status.set(404);
            IOException down = assertThrows(IOException.class, () -> Appliance.start(c).close());
            assertTrue(down.getMessage().contains("is missing and the fetch failed") && down.getMessage().contains("404"),
                    down.getMessage());
            status.set(200);

            try (Appliance a = Appliance.start(c)) {
                assertArrayEquals(served.get(), Files.readAllBytes(file), "the first CRL was fetched at start");
                ServiceConfig before = a.services();
                assertFalse(a.refreshCrlNow(), "unchanged: nothing to do");
                assertSame(before, a.services());

                served.set(pki.crlRevoking(pki.endEntity(TestPki.Flaw.NONE).cert()).getEncoded());
                assertTrue(a.refreshCrlNow());
                assertArrayEquals(served.get(), Files.readAllBytes(file));
                assertNotSame(before, a.services(), "the new CRL is in force");
                byte[] good = served.get();

                // forged: signed by a PKI the STI-PA root does not lead to
                TestPki other = new TestPki(System.currentTimeMillis());
                served.set(other.crlRevoking(other.endEntity(TestPki.Flaw.NONE).cert()).getEncoded());
                ServiceConfig current = a.services();
                IOException forged = assertThrows(IOException.class, a::refreshCrlNow);
                assertTrue(forged.getMessage().contains("verification.crl.url"), forged.getMessage());
                assertArrayEquals(good, Files.readAllBytes(file), "the running CRL stays");
                assertSame(current, a.services());
                served.set("not a CRL".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThrows(IOException.class, a::refreshCrlNow);
                status.set(503);
                assertTrue(assertThrows(IOException.class, a::refreshCrlNow).getMessage().contains("HTTP 503"));
                assertArrayEquals(good, Files.readAllBytes(file));
            }
        } finally {
            http.stop(0);
        }
    }
}
