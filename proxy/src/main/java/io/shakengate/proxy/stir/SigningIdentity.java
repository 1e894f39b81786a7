package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.x509.TnAuthList;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One identity the appliance signs with (FCC 24-120: each provider its own certificate): a name, the signer
 * (key and x5u), the certificate chain served at that x5u (empty when it is published elsewhere) and the
 * numbers it may sign for ({@code scope}: a delegate certificate's TNAuthList, or a configured list; null for
 * any number, as a service provider's SPC certificate).
 *
 * @param name   the name rules and the CLI use
 * @param signer the key and x5u
 * @param chain  the certificate chain, end entity first, or empty
 * @param scope  the numbers it may sign for, or null for any
 */
public record SigningIdentity(String name, PassportSigner signer, List<X509Certificate> chain, TnAuthList scope) {
    /** Copies the chain. */
    public SigningIdentity {
        chain = List.copyOf(chain);
    }

    /** Whether the identity may sign for the canonical calling number {@code tn}. */
    public boolean covers(String tn) {
        return scope == null || scope.covers(tn);
    }

    /** The end entity's notAfter in epoch milliseconds, or -1 without a chain. */
    public long notAfterMillis() {
        return chain.isEmpty() ? -1 : chain.get(0).getNotAfter().getTime();
    }

    /** The end entity's notBefore in epoch milliseconds, or -1 without a chain. */
    public long notBeforeMillis() {
        return chain.isEmpty() ? -1 : chain.get(0).getNotBefore().getTime();
    }
}
