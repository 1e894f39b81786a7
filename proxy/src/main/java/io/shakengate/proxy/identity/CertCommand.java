package io.shakengate.proxy.identity;

import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.ConfigException;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import io.shakengate.proxy.stir.SigningIdentity;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code shakengate cert status|renew NAME [--config FILE]}: the signing identities' certificates as the
 * configuration names them on disk (subject, serial, validity, days left, scope, when renewal is due), and a
 * renewal now of one identity through its acme section, writing its key and chain as the running appliance's
 * renewals do; the running appliance takes them at its next reload ({@code systemctl reload shakengate}).
 */
public final class CertCommand {
    /** Where the RPM installs the configuration. */
    public static final Path DEFAULT_CONFIG = Path.of("/etc/shakengate/shakengate.yaml");

    private CertCommand() {
    }

    /** Runs {@code args} (after {@code cert}); the exit code: 0 done, 1 a certificate failed, 2 usage, 3 configuration. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = DEFAULT_CONFIG;
        List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        boolean status = rest.size() == 1 && rest.get(0).equals("status");
        boolean renew = rest.size() == 2 && rest.get(0).equals("renew");
        if (!status && !renew) {
            err.println("usage: shakengate cert status [--config FILE] | cert renew NAME [--config FILE]");
            return 2;
        }
        ApplianceConfig c;
        try {
            c = ApplianceConfig.parse(Files.readString(config), config.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            err.println(config + ": no such file (give --config FILE)");
            return 3;
        } catch (ConfigException | IOException e) {
            err.println(e.getMessage());
            return 3;
        }
        if (c.signing() == null) {
            err.println(config + ": no signing section, so no signing identity");
            return 3;
        }
        return status ? status(c, out, err) : renew(c, rest.get(1), out, err);
    }

    private static int status(ApplianceConfig c, PrintStream out, PrintStream err) {
        long now = System.currentTimeMillis();
        int failed = 0;
        for (IdentityConfig i : c.signing().identities()) {
            try {
                SigningIdentity id = IdentityLoader.load(i, EcdsaProvider.selected(), now);
                StringBuilder b = new StringBuilder("identity ").append(i.name()).append(": x5u ").append(i.x5u());
                if (id.chain().isEmpty()) {
                    b.append(", chain published elsewhere (no chain: file)");
                } else {
                    b.append("\n  ").append(id.chain().get(0).getSubjectX500Principal().getName()).append(", serial ")
                            .append(id.chain().get(0).getSerialNumber().toString(16)).append("\n  valid ")
                            .append(Instant.ofEpochMilli(id.notBeforeMillis())).append(" to ")
                            .append(Instant.ofEpochMilli(id.notAfterMillis())).append(String.format(Locale.ROOT,
                                    " (%.1f days left)", (id.notAfterMillis() - now) / 86_400_000.0));
                }
                b.append("\n  signs for ").append(id.scope() == null ? "any number (SPC certificate)"
                        : IdentityLoader.text(id.scope()));
                if (i.acme() != null) {
                    long due = Renewals.dueMillis(id, i.acme().renewAt());
                    b.append("\n  renewed through ACME at ").append(i.acme().directory()).append(", due ")
                            .append(due < 0 ? "now" : Instant.ofEpochMilli(due));
                } else {
                    b.append("\n  not renewed automatically (no acme section)");
                }
                out.println(b);
            } catch (IOException e) {
                err.println(e.getMessage());
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static int renew(ApplianceConfig c, String name, PrintStream out, PrintStream err) {
        IdentityConfig found = null;
        for (IdentityConfig i : c.signing().identities()) {
            if (i.name().equals(name)) {
                found = i;
            }
        }
        if (found == null || found.acme() == null) {
            err.println(found == null ? "no signing identity '" + name + "'"
                    : "signing identity '" + name + "' has no acme section: nothing to renew it with");
            return 2;
        }
        AtomicReference<SigningIdentities> current = new AtomicReference<>();
        try {
            current.set(SigningIdentities.of(IdentityLoader.load(found, EcdsaProvider.selected(),
                    System.currentTimeMillis())));
        } catch (IOException e) {
            out.println("the current certificate does not load (" + e.getMessage() + "); ordering a new one");
        }
        Renewals r = new Renewals(List.of(found), current::get, id -> current.set(SigningIdentities.of(id)),
                System::currentTimeMillis, out, err);
        Renewals.Outcome o = r.renew(name);
        if (o.renewed()) {
            out.println("apply it with: systemctl reload shakengate (or SIGHUP to the appliance)");
            return 0;
        }
        return 1;
    }
}
