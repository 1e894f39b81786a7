package io.shakengate.proxy;

import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConsoleSection;
import io.shakengate.proxy.console.ConfigEditor;
import io.shakengate.proxy.console.Console;
import io.shakengate.proxy.console.WatchPages;
import io.shakengate.proxy.journal.DecisionLog;

import java.nio.file.Path;

/**
 * Puts the operator's console on a running appliance's API listener when the configuration has a
 * {@code console} section: its pages read the appliance's configuration, counters and status; its changes
 * edit {@code file} and reload it through {@code reload}.
 */
public final class ConsoleAssembly {
    private ConsoleAssembly() {
    }

    /** The console attached to {@code appliance}, or null when its configuration has none. */
    public static Console attach(Appliance appliance, Path file, ConfigEditor.Reloader reload) {
        ApplianceConfig c = appliance.config();
        ConsoleSection.Settings s = c.console();
        if (s == null || appliance.api() == null) {
            return null;
        }
        DecisionLog.keep(s.recentCalls());
        WatchPages watch = new WatchPages(appliance.server().counters(), appliance.server().latency(),
                appliance.statusReport());
        Console console = new Console(appliance::config, new ConfigEditor(file, s.auditLog(), reload), watch,
                c.api().tlsCertificate() != null);
        appliance.api().console(console);
        return console;
    }
}
