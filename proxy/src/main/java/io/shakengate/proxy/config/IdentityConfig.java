package io.shakengate.proxy.config;

import io.shakengate.crypto.x509.TnAuthList;

import java.net.URI;
import java.nio.file.Path;

/**
 * One signing identity as configured ({@code signing.identities}): the files are read when the services
 * are built, so a reload re-reads them.
 *
 * @param name  the name rules and the CLI use
 * @param key   the private key (PKCS#8 or SEC1 PEM)
 * @param chain the certificate chain (PEM, end entity first), served at x5u by the certificate repository;
 *              null when it is published elsewhere
 * @param x5u   the https URL verifiers fetch the chain from
 * @param scope the numbers it may sign for, or null (the chain's TNAuthList when it is a delegate's, else any)
 * @param acme  automatic renewal, or null
 */
public record IdentityConfig(String name, Path key, Path chain, String x5u, TnAuthList scope, Acme acme) {
    /**
     * Automatic certificate renewal through ACME with the STI-PA's SPC token (RFC 8555, RFC 9447 TNAuthList
     * identifier, RFC 9448 {@code tkauth-01}; ATIS-1000080).
     *
     * @param directory     the STI-CA's ACME directory URL
     * @param accountKey    the ACME account key (P-256 PEM; made, mode 0600, when absent)
     * @param contact       the account contact ({@code mailto:}), or null
     * @param tnAuthList    the identifier ordered: the SPC (or numbers) of the certificate
     * @param tokenEndpoint the STI-PA token API URL (ATIS-1000080 section 6.3.5: POST with the ATC), or null
     * @param tokenAuth     a file with the bearer credential for {@code tokenEndpoint}, or null
     * @param tokenFile     a file holding an SPC token instead of the endpoint, or null
     * @param trust         PEM CA certificates trusted for the ACME and token servers' TLS, or null (system)
     * @param renewAt       renew when this fraction of the certificate's lifetime has passed (0.1 to 0.95)
     * @param retrySeconds  the first wait after a failed renewal, doubled each failure up to an hour
     * @param timeoutSeconds the longest wait for one ACME exchange
     */
    public record Acme(URI directory, Path accountKey, String contact, TnAuthList tnAuthList, URI tokenEndpoint,
                       Path tokenAuth, Path tokenFile, Path trust, double renewAt, int retrySeconds,
                       int timeoutSeconds) {
    }
}
