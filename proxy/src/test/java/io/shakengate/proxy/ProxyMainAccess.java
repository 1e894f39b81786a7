package io.shakengate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test access to ProxyMain's package-private reload helpers. */
public final class ProxyMainAccess {
    private ProxyMainAccess() {
    }

    /** Reloads {@code file} into {@code appliance}; true if applied. */
    public static boolean reload(Path file, Appliance appliance) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        return reload(file, appliance, new PrintStream(sink, true, StandardCharsets.UTF_8));
    }

    /** As {@link #reload(Path, Appliance)}, reporting to {@code out}. */
    public static boolean reload(Path file, Appliance appliance, PrintStream out) {
        return ProxyMain.reload(file, appliance, out, out);
    }

    /** Whether this process was started with SIGHUP ignored (nohup): a SIGHUP test cannot run then. */
    public static boolean sighupIgnored() {
        return ProxyMain.sighupIgnored();
    }

    /** Installs {@code action} as the SIGHUP handler. */
    public static boolean onSighup(Runnable action) {
        return ProxyMain.onSighup(action);
    }
}
