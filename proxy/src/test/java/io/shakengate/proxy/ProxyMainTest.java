package io.shakengate.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ProxyMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void demoSignsVerifiesAndAnswersEveryCall() {
        assertEquals(ProxyMain.EXIT_OK, run("demo", "2"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("verstat=TN-Validation-Passed"), text);
        assertTrue(text.contains(";alg=ES256;ppt=shaken"), text);
        assertTrue(text.contains("SIP/2.0 200 OK (back through both appliances)"), text);
        assertTrue(text.contains("signed=2, verified_passed=2"), text);
        assertTrue(text.contains("demo: all 2 calls signed, verified and answered"), text);
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(ProxyMain.EXIT_USAGE, run());
        assertEquals(ProxyMain.EXIT_USAGE, run("frobnicate"));
        assertEquals(ProxyMain.EXIT_USAGE, run("demo", "many"));
        assertEquals(ProxyMain.EXIT_USAGE, run("demo", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: shakengate"));
    }

    @Test
    void versionNamesTransportAndProvider() {
        assertEquals(ProxyMain.EXIT_OK, run("version"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("transport ") && text.contains("ECDSA "), text);
    }
}
