package io.shakengate.crypto.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs secsipidx (Debian package secsipidx, an independent Go implementation; .ci/run installs it). */
public final class Secsipidx {
    private Secsipidx() {
    }

    /** Runs secsipidx with {@code args}, bounded to 20 s; returns {exit code, output}. */
    public static String[] run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("secsipidx");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("secsipidx is not installed (apt-get install secsipidx; .ci/run does it): "
                    + e.getMessage(), e);
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("secsipidx did not finish in 20 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new String[] {Integer.toString(p.exitValue()), out};
    }
}
