package io.shakengate.proxy;

import java.io.PrintStream;

/**
 * The {@code shakengate} command line.
 *
 * <pre>
 *   shakengate demo [CALLS]   the embedded default: demo PKI, two appliances on loopback, a few calls
 *   shakengate version        versions of the appliance, its transport and its ECDSA provider
 * </pre>
 *
 * Exit codes: 0 success; 1 the command ran and failed (a demo call did not complete); 2 usage error.
 */
public final class ProxyMain {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The command ran and failed. */
    public static final int EXIT_FAILED = 1;
    /** Bad command line. */
    public static final int EXIT_USAGE = 2;

    private ProxyMain() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(err);
            return EXIT_USAGE;
        }
        try {
            switch (args[0]) {
                case "demo":
                    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 3;
                    if (calls < 1 || calls > 1000) {
                        err.println("demo: CALLS must be 1..1000");
                        return EXIT_USAGE;
                    }
                    return Demo.run(out, calls) == 0 ? EXIT_OK : EXIT_FAILED;
                case "version":
                    out.println("shakengate " + version() + " (transport "
                            + io.shakengate.proxy.transport.Transports.detect().describe() + ", ECDSA "
                            + io.shakengate.crypto.sign.EcdsaProvider.selected().describe() + ", Java "
                            + System.getProperty("java.version") + ")");
                    return EXIT_OK;
                default:
                    err.println("unknown command: " + args[0]);
                    usage(err);
                    return EXIT_USAGE;
            }
        } catch (NumberFormatException e) {
            err.println("not a number: " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception e) {
            err.println(args[0] + " failed: " + e);
            return EXIT_FAILED;
        }
    }

    private static String version() {
        String v = ProxyMain.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static void usage(PrintStream err) {
        err.println("usage: shakengate demo [CALLS] | version");
    }
}
