package io.shakengate.proxy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process started with SIGHUP ignored (nohup) cannot reload by SIGHUP, since the JVM keeps it ignored and
 * accepts a handler it never calls: the appliance says so instead of silently never reloading.
 */
class SighupIgnoredTest {
    private static String probe(boolean nohup) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = nohup
                ? new ProcessBuilder("nohup", java, "-cp", System.getProperty("java.class.path"),
                        SighupProbe.class.getName())
                : new ProcessBuilder("sh", "-c", "trap - HUP; exec \"$0\" -cp \"$1\" \"$2\"", java,
                        System.getProperty("java.class.path"), SighupProbe.class.getName());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return out;
    }

    @Test
    void underNohupItSaysReloadBySighupWillNotWork() throws Exception {
        String ignored = probe(true);
        assertTrue(ignored.contains("ignored=true installed=false"), ignored);
        assertTrue(ignored.contains("started with SIGHUP ignored"), ignored);
        if (!ProxyMain.sighupIgnored()) {
            String normal = probe(false);
            assertTrue(normal.contains("ignored=false installed=true"), normal);
        }
    }
}
