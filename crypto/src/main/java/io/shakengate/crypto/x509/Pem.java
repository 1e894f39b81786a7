package io.shakengate.crypto.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PEM armour (RFC 7468): base64 in 64-character lines between BEGIN and END lines. */
public final class Pem {
    private Pem() {
    }

    /** {@code der} armoured as {@code type} ("CERTIFICATE", "PRIVATE KEY", ...). */
    public static String armour(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * The X.509 certificates in {@code file} (PEM, or one DER certificate), in file order; an
     * IllegalArgumentException naming the file if they do not parse.
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not PEM certificates: " + e.getMessage(), e);
        }
    }
}
