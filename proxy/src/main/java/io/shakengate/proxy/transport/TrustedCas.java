package io.shakengate.proxy.transport;

import io.shakengate.crypto.x509.Pem;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A TLS client context trusting the CA certificates of a PEM bundle (x5u fetches, the ACME and STI-PA
 * servers); errors name the file.
 */
public final class TrustedCas {
    private TrustedCas() {
    }

    /** A TLS context trusting the CA certificates of {@code file}. */
    public static SSLContext tls(Path file) throws IOException {
        List<X509Certificate> cas;
        try {
            cas = Pem.readCertificates(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (cas.isEmpty()) {
            throw new IOException(file + " holds no certificate");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
