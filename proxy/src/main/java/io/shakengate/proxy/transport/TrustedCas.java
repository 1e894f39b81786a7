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
        return tls(file, null, null);
    }

    /**
     * A TLS context trusting the CA certificates of {@code file} that presents the client certificate chain
     * {@code cert} (PEM, leaf first) with its private key {@code key} (PEM: PKCS#8, or SEC1/PKCS#1; EC or RSA), or
     * none when they are null.
     */
    public static SSLContext tls(Path file, Path cert, Path key) throws IOException {
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
            javax.net.ssl.KeyManager[] keys = null;
            if (cert != null) {
                List<X509Certificate> chain;
                try {
                    chain = Pem.readCertificates(cert);
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (chain.isEmpty()) {
                    throw new IOException(cert + " holds no certificate");
                }
                KeyStore mine = KeyStore.getInstance("PKCS12");
                mine.load(null, null);
                mine.setKeyEntry("client", privateKey(key), new char[0], chain.toArray(new X509Certificate[0]));
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(mine, new char[0]);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static java.security.PrivateKey privateKey(Path key) throws IOException {
        try (org.bouncycastle.openssl.PEMParser p = new org.bouncycastle.openssl.PEMParser(
                java.nio.file.Files.newBufferedReader(key, java.nio.charset.StandardCharsets.US_ASCII))) {
            Object o = p.readObject();
            org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter c = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
                return c.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return c.getPrivateKey(info);
            }
            throw new IOException(key + ": expected an unencrypted private key (PEM), found "
                    + (o == null ? "nothing" : o.getClass().getSimpleName()));
        }
    }
}
