package io.shakengate.proxy;

import java.io.IOException;
import java.nio.file.Path;

/** What other packages of the appliance use of the assembly: the TLS trust of a PEM bundle. */
public final class ServiceAssemblyAccess {
    private ServiceAssemblyAccess() {
    }

    /** A TLS context trusting the CA certificates of the PEM bundle {@code file}; errors name the file. */
    public static javax.net.ssl.SSLContext fetchTls(Path file) throws IOException {
        return ServiceAssembly.fetchTls(file);
    }
}
