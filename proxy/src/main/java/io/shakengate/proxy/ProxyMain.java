package io.shakengate.proxy;

import java.io.PrintStream;

/**
 * The {@code shakengate} command line.
 *
 * <pre>
 *   shakengate demo [CALLS]   the embedded default: demo PKI, two appliances on loopback, a few calls
 *   shakengate run --config FILE   run the appliance (until SIGTERM/SIGINT)
 *   shakengate check-config FILE   validate FILE (and the key and trust anchors it names); print the effective values
 *   shakengate version        versions of the appliance, its transport and its ECDSA provider
 *   shakengate keygen DIR     a new P-256 key: DIR/signing-key.pem (PKCS#8, mode 0600) and DIR/signing-key.pub.pem
 *   shakengate csr KEY SPC ORGANIZATION COUNTRY
 *                             a PKCS#10 request for CN=SHAKEN SPC with TNAuthList(SPC), printed as PEM
 *   shakengate cert status|renew NAME [--config FILE]
 *                             the signing identities' certificates; renew one now through ACME
 * </pre>
 *
 * Exit codes: 0 success; 1 the command ran and failed (a demo call did not complete); 2 usage error;
 * 3 configuration error (the message names the line or the file).
 */
public final class ProxyMain {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The command ran and failed. */
    public static final int EXIT_FAILED = 1;
    /** Bad command line. */
    public static final int EXIT_USAGE = 2;
    /** Bad configuration. */
    public static final int EXIT_CONFIG = 3;

    private ProxyMain() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        String journal = System.getenv("JOURNAL_STREAM");
        PrintStream out = io.shakengate.proxy.systemd.JournalPriority.forJournal(journal, System.out,
                io.shakengate.proxy.systemd.JournalPriority.INFO);
        PrintStream err = io.shakengate.proxy.systemd.JournalPriority.forJournal(journal, System.err,
                io.shakengate.proxy.systemd.JournalPriority.ERROR);
        System.setOut(out);
        System.setErr(err);
        System.exit(run(args, out, err));
    }

    /** Runs a command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(err);
            return EXIT_USAGE;
        }
        if (isHelp(args[0]) || args[0].equals("help")) {
            String topic = args.length > 1 ? args[1] : null;
            if (topic != null && HELP.containsKey(topic)) {
                out.println(HELP.get(topic));
            } else {
                usage(out);
                out.println("'shakengate COMMAND --help' says more of one command.");
            }
            return EXIT_OK;
        }
        for (int i = 1; i < args.length; i++) {
            if (isHelp(args[i]) && HELP.containsKey(args[0])) {
                // nothing runs (keygen --help makes no key, demo --help starts nothing)
                out.println(HELP.get(args[0]));
                return EXIT_OK;
            }
        }
        try {
            switch (args[0]) {
                case "demo":
                    int calls;
                    try {
                        calls = args.length > 1 ? Integer.parseInt(args[1]) : 3;
                    } catch (NumberFormatException e) {
                        err.println("demo: CALLS must be a number from 1 to 1000, was '" + args[1] + "'");
                        return EXIT_USAGE;
                    }
                    if (calls < 1 || calls > 1000) {
                        err.println("demo: CALLS must be a number from 1 to 1000, was " + calls);
                        return EXIT_USAGE;
                    }
                    return Demo.run(out, calls) == 0 ? EXIT_OK : EXIT_FAILED;
                case "version":
                    out.println("shakengate " + version() + " (transport "
                            + io.shakengate.proxy.transport.Transports.detect().describe() + ", ECDSA "
                            + io.shakengate.crypto.sign.EcdsaProvider.selected().describe() + ", Java "
                            + System.getProperty("java.version") + ")");
                    return EXIT_OK;
                case "check-config":
                    if (args.length != 2) {
                        usage(err);
                        return EXIT_USAGE;
                    }
                    return checkConfig(java.nio.file.Path.of(args[1]), out, err);
                case "run":
                    if (args.length != 3 || !args[1].equals("--config")) {
                        usage(err);
                        return EXIT_USAGE;
                    }
                    return runAppliance(java.nio.file.Path.of(args[2]), out, err);
                case "keygen":
                    if (args.length != 2) {
                        usage(err);
                        return EXIT_USAGE;
                    }
                    return keygen(java.nio.file.Path.of(args[1]), out, err);
                case "console-user":
                    if (args.length != 4) {
                        usage(err);
                        return EXIT_USAGE;
                    }
                    return consoleUser(java.nio.file.Path.of(args[1]), args[2], args[3], out, err);
                case "status":
                    return StatusCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
                case "cert":
                    return io.shakengate.proxy.identity.CertCommand.run(java.util.Arrays.copyOfRange(args, 1,
                            args.length), out, err);
                case "csr":
                    if (args.length != 5) {
                        usage(err);
                        return EXIT_USAGE;
                    }
                    java.security.PrivateKey key = io.shakengate.crypto.sign.SigningKeys.readPrivateKey(
                            java.nio.file.Path.of(args[1]));
                    java.security.PublicKey pub = io.shakengate.crypto.sign.SigningKeys.publicOf(key);
                    out.print(io.shakengate.crypto.x509.CertificateRequests.csrPem(
                            new java.security.KeyPair(pub, key), args[2], args[3], args[4]));
                    return EXIT_OK;
                default:
                    err.println("unknown command: " + args[0]);
                    usage(err);
                    return EXIT_USAGE;
            }
        } catch (NumberFormatException e) {
            err.println("not a number: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IllegalArgumentException e) {
            err.println(args[0] + ": " + e.getMessage());
            return EXIT_FAILED;
        } catch (Exception e) {
            err.println(args[0] + " failed: " + e);
            return EXIT_FAILED;
        }
    }

    private static io.shakengate.proxy.config.ApplianceConfig readConfig(java.nio.file.Path file)
            throws java.io.IOException {
        return io.shakengate.proxy.config.ApplianceConfig.parse(java.nio.file.Files.readString(file), file.toString());
    }

    private static int checkConfig(java.nio.file.Path file, PrintStream out, PrintStream err) {
        java.util.concurrent.ExecutorService none = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            io.shakengate.proxy.config.ApplianceConfig config = readConfig(file);
            Appliance.resolve(config, none);
            out.print(config.describe());
            out.println(file + ": OK");
            return EXIT_OK;
        } catch (io.shakengate.proxy.config.ConfigException | IllegalArgumentException | java.io.IOException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        } finally {
            none.shutdownNow();
        }
    }

    private static int runAppliance(java.nio.file.Path file, PrintStream out, PrintStream err)
            throws InterruptedException {
        io.shakengate.proxy.config.ApplianceConfig config;
        Appliance appliance;
        try {
            config = readConfig(file);
            appliance = Appliance.start(config);
        } catch (io.shakengate.proxy.config.ConfigException | IllegalArgumentException | java.io.IOException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        }
        out.println("shakengate " + version() + ": transport " + appliance.server().transports().describe()
                + ", ECDSA " + io.shakengate.crypto.sign.EcdsaProvider.selected().describe());
        out.print(config.describe());
        io.shakengate.proxy.systemd.SdNotify notify = io.shakengate.proxy.systemd.SdNotify.fromEnvironment(
                System.getenv(), appliance.server().group(), appliance.server().transports().epoll());
        out.println(notify.describe());
        ConsoleAssembly.attach(appliance, file, () -> {
            appliance.reload(readConfig(file));
            appliance.server().counters().count(io.shakengate.proxy.metrics.ProxyCounters.Event.RELOADED);
            out.println("reloaded " + file + " (a console change)");
        });
        onSighup(() -> {
            notify.reloading();
            boolean ok = reload(file, appliance, out, err);
            notify.ready(ok ? "reloaded " + file : "reload refused, running the previous configuration");
        });
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            notify.stopping("draining: new calls get 503");
            notify.close();
            try {
                boolean quiet = appliance.drainAndClose();
                out.println(quiet ? "stopped: drained" : "stopped: drain deadline reached, "
                        + appliance.server().drain().pending() + " verification(s) still pending");
            } catch (InterruptedException e) {
                appliance.close();
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "shutdown"));
        notify.ready("listening on " + appliance.bound());
        stopped.await();
        return EXIT_OK;
    }

    /** Re-reads {@code file} and applies it; a bad file keeps the running configuration and says why. */
    static boolean reload(java.nio.file.Path file, Appliance appliance, PrintStream out, PrintStream err) {
        try {
            appliance.reload(readConfig(file));
            appliance.server().counters().count(io.shakengate.proxy.metrics.ProxyCounters.Event.RELOADED);
            out.println("reloaded " + file);
            return true;
        } catch (io.shakengate.proxy.config.ConfigException | IllegalArgumentException | java.io.IOException e) {
            appliance.server().counters().count(io.shakengate.proxy.metrics.ProxyCounters.Event.RELOAD_REFUSED);
            err.println("reload refused, the running configuration stays: " + e.getMessage());
            return false;
        }
    }

    /**
     * Runs {@code action} on SIGHUP (sun.misc.Signal through reflection: javac warns on the name, and a JVM
     * without it only loses reloading by signal, which is said).
     */
    static boolean onSighup(Runnable action) {
        if (sighupIgnored()) {
            // the JVM keeps an ignored signal ignored: a handler would be accepted and never called
            System.err.println("this process was started with SIGHUP ignored (nohup, or its supervisor): SIGHUP will "
                    + "not reload the configuration; start it without nohup (systemd's unit does)");
            return false;
        }
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerClass.getClassLoader(),
                    new Class<?>[] {handlerClass}, (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "SIGHUP reload";
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("reload on SIGHUP is not available in this JVM: " + e);
            return false;
        }
    }

    /** Whether SIGHUP is ignored in this process (Linux: bit 1 of SigIgn in /proc/self/status). */
    static boolean sighupIgnored() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(l.substring(7).trim(), 16) & 1L) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return false; // not Linux: nothing known
        }
        return false;
    }

    private static int keygen(java.nio.file.Path dir, PrintStream out, PrintStream err) throws java.io.IOException {
        java.nio.file.Path key = dir.resolve("signing-key.pem");
        if (java.nio.file.Files.exists(key)) {
            err.println("keygen: " + key + " exists; not overwriting a key");
            return EXIT_FAILED;
        }
        java.nio.file.Files.createDirectories(dir);
        java.security.KeyPair keys = io.shakengate.crypto.x509.CertificateRequests.newKeyPair();
        java.nio.file.Files.createFile(key);
        try {
            java.nio.file.Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            err.println("keygen: cannot restrict permissions of " + key + " on this file system");
        }
        java.nio.file.Files.writeString(key, io.shakengate.crypto.x509.CertificateRequests.privateKeyPem(keys));
        java.nio.file.Files.writeString(dir.resolve("signing-key.pub.pem"),
                io.shakengate.crypto.x509.CertificateRequests.publicKeyPem(keys));
        out.println("wrote " + key + " and " + dir.resolve("signing-key.pub.pem"));
        return EXIT_OK;
    }

    private static String version() {
        String v = ProxyMain.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static boolean isHelp(String a) {
        return a.equals("--help") || a.equals("-h");
    }

    /**
     * Adds or replaces a console user: the password from the terminal (asked twice) or, without one, the first
     * line of standard input.
     */
    private static int consoleUser(java.nio.file.Path file, String name, String role, PrintStream out,
                                   PrintStream err) throws java.io.IOException {
        char[] password;
        java.io.Console tty = System.console();
        if (tty != null) {
            password = tty.readPassword("password for %s: ", name);
            char[] again = tty.readPassword("again: ");
            if (password == null || !java.util.Arrays.equals(password, again)) {
                err.println("console-user: the passwords differ; nothing written");
                return EXIT_FAILED;
            }
        } else {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        io.shakengate.proxy.console.ConsoleUsers.put(file, name, role, password);
        java.util.Arrays.fill(password, '\0');
        out.println(file + ": " + name + " (" + role + ") written; the console reads it at the next login");
        return EXIT_OK;
    }

    /** Each command's help, as {@code shakengate COMMAND --help} prints it. */
    private static final java.util.Map<String, String> HELP = java.util.Map.of(
            "console-user", "shakengate console-user FILE NAME ROLE\n  Adds or replaces user NAME (ROLE admin or viewer)"
                    + " in the console's users file FILE (console.users) with a bcrypt hash of a password of at least"
                    + " 12 characters, asked on the terminal (twice) or read as the first line of standard input.",
            "run", "shakengate run --config FILE\n  Runs the appliance on the configuration FILE (YAML) until SIGTERM;"
                    + " SIGHUP reloads it.",
            "check-config", "shakengate check-config FILE\n  Checks the configuration FILE: exit 0 and the"
                    + " configuration in words, or exit 3 naming the file and line at fault.",
            "demo", "shakengate demo [CALLS]\n  Runs the embedded default (a demo PKI and configuration it makes"
                    + " itself) and places CALLS signed and verified calls (1..1000, default 3) on loopback.",
            "version", "shakengate version\n  Prints the version, the transport, the ECDSA provider and the Java"
                    + " version.",
            "keygen", "shakengate keygen DIR\n  Makes a P-256 signing key (PKCS#8 PEM, mode 0600) in DIR; never"
                    + " overwrites one.",
            "csr", "shakengate csr KEY SPC ORGANIZATION COUNTRY\n  Prints a PKCS#10 request (CN=SHAKEN SPC, TNAuthList"
                    + " with SPC, digitalSignature) for KEY, to send to an STI-CA.",
            "cert", "shakengate cert status [--config FILE]\n  Each signing identity's certificate: subject, serial,"
                    + " validity, days left, the numbers it signs for, when renewal is due.\n"
                    + "shakengate cert renew NAME [--config FILE]\n  Renews identity NAME now through its acme section"
                    + " (new key, SPC token, order); the appliance takes it at its next reload.\n"
                    + "  FILE defaults to /etc/shakengate/shakengate.yaml.",
            "status", "shakengate status [--config FILE] [--cert FILE --key FILE]\n  Asks the running appliance (GET"
                    + " /status on api.listen, with the first of api.bearerTokens) and prints its points and next hops,"
                    + " counters, x5u cache, CPS and last decisions. --cert/--key: the client certificate (PEM) and key"
                    + " an API with api.tls.clientCa asks for.\n  FILE defaults to /etc/shakengate/shakengate.yaml.");

    private static void usage(PrintStream err) {
        err.println("usage: shakengate run --config FILE | check-config FILE | demo [CALLS] | version | keygen DIR"
                + " | csr KEY SPC ORGANIZATION COUNTRY | cert status|renew NAME [--config FILE] | status [--config FILE] [--cert FILE --key FILE]"
                + " | console-user FILE NAME ROLE");
    }
}
