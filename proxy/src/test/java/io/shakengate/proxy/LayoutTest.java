package io.shakengate.proxy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout follows the data flow: codec -> crypto -> STIR services -> fronts -> assembly. No dependency runs
 * back up: the services ({@code stir}) know no Netty, no HTTP and no front; the CPS ({@code cps}) no front
 * and no service; the counters ({@code metrics}' ProxyCounters) nothing of the appliance. Read from the
 * sources: an import, or a fully qualified name, breaks it.
 */
class LayoutTest {
    private static final Path ROOT = Path.of("src/main/java/io/shakengate/proxy");
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.netty|io\\.shakengate\\.proxy(?:\\.\\w+)?)\\.([A-Z]\\w*)?");

    /** Every reference of the files of {@code pkg} (a folder under the proxy root) that {@code forbidden} matches. */
    private static List<String> violations(String pkg, Pattern forbidden) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                int n = 0;
                for (String line : Files.readAllLines(f)) {
                    n++;
                    if (line.trim().startsWith("*") || line.trim().startsWith("//") || line.startsWith("package ")) {
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(line);
                    while (m.find()) {
                        if (forbidden.matcher(m.group()).lookingAt()) {
                            found.add(f.getFileName() + ":" + n + ": " + m.group());
                        }
                    }
                }
            }
        }
        return found;
    }

    @Test
    void theServicesKnowNoTransportAndNoFront() throws IOException {
        // allowed below them: crypto, codec-free data, the CPS client, the counters
        List<String> v = violations("stir", Pattern.compile(
                "io\\.netty|io\\.shakengate\\.proxy\\.(http|config|systemd|transport)\\.|io\\.shakengate\\.proxy\\.[A-Z]"));
        assertEquals(List.of(), v);
    }

    @Test
    void theCpsKnowsNoFrontAndNoService() throws IOException {
        assertEquals(List.of(), violations("cps", Pattern.compile(
                "io\\.shakengate\\.proxy\\.(http|stir|config|systemd)\\.|io\\.shakengate\\.proxy\\.[A-Z]")));
    }

    @Test
    void theSourcesAreWhereThisTestLooks() throws IOException {
        // the test cannot pass by looking at nothing
        try (Stream<Path> files = Files.list(ROOT.resolve("stir"))) {
            assertTrue(files.anyMatch(p -> p.endsWith("VerificationService.java")));
        }
        List<String> v = violations("http", Pattern.compile("io\\.netty"));
        assertTrue(!v.isEmpty(), "the HTTP front does use Netty, and is seen to");
    }
}
