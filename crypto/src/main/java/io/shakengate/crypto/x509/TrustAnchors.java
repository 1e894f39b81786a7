package io.shakengate.crypto.x509;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The trusted STI-CA list ("Certificate Authorities"): CA certificates read from PEM files — a directory
 * of {@code *.pem} / {@code *.crt} files and/or explicit files, each holding one or more certificates. Every
 * certificate must be a CA (basicConstraints cA) and valid now; anything else is refused with an error that
 * names the file, so that a reload with a bad file keeps the running list.
 */
public final class TrustAnchors {
    private TrustAnchors() {
    }

    /**
     * The anchors of {@code dir} plus {@code files}: {@code dir} is a directory (every {@code *.pem} and
     * {@code *.crt} file in it) or one file (a PEM bundle, the usual form of an STI-PA trust list).
     */
    public static Set<TrustAnchor> load(Path dir, List<Path> files, Date now) throws IOException {
        Set<TrustAnchor> anchors = new HashSet<>();
        if (dir != null && Files.isRegularFile(dir)) {
            anchors.addAll(read(dir, now));
        } else if (dir != null) {
            if (!Files.exists(dir)) {
                throw new java.nio.file.NoSuchFileException(dir.toString(), null,
                        "neither a directory of *.pem/*.crt files nor a PEM bundle file");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{pem,crt}")) {
                for (Path f : ds) {
                    anchors.addAll(read(f, now));
                }
            }
        }
        for (Path f : files) {
            anchors.addAll(read(f, now));
        }
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no trusted STI-CA certificate in " + (dir == null ? files : dir)
                    + (dir != null && Files.isDirectory(dir) ? " (no *.pem or *.crt file there)" : ""));
        }
        return anchors;
    }

    private static Set<TrustAnchor> read(Path f, Date now) throws IOException {
        List<X509Certificate> certs = Pem.readCertificates(f);
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(f + ": no certificate");
        }
        Set<TrustAnchor> out = new HashSet<>();
        for (X509Certificate x : certs) {
            if (x.getBasicConstraints() < 0) {
                throw new IllegalArgumentException(f + ": " + x.getSubjectX500Principal().getName()
                        + " is not a CA certificate");
            }
            try {
                x.checkValidity(now);
            } catch (CertificateException e) {
                throw new IllegalArgumentException(f + ": " + x.getSubjectX500Principal().getName()
                        + " is not valid now: " + e.getMessage(), e);
            }
            out.add(new TrustAnchor(x, null));
        }
        return out;
    }
}
