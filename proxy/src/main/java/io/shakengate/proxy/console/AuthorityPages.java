package io.shakengate.proxy.console;

import io.shakengate.crypto.x509.Pem;
import io.shakengate.proxy.config.ApplianceConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Certificate Authorities page (the trusted STI-CA roots of {@code verification.trustAnchors}: subject,
 * SPKI hash, validity; add one by upload, remove one) and the CRL page (its source, last fetch and entries).
 * An upload must be one X.509 certificate (PEM or DER) of a CA (basicConstraints CA, keyCertSign when key
 * usage is given), valid now and not trusted yet; else it is refused, saying why. With a directory of anchors
 * an added CA is a new file {@code sti-ca-HASH.pem} there, with a bundle it is appended; a removal deletes that
 * file or rewrites the bundle without it. Either goes through {@link ConfigEditor} (reloaded, audited, undone
 * when refused: the last CA cannot be removed).
 */
final class AuthorityPages {
    private final Supplier<ApplianceConfig> config;
    private final ConfigEditor editor;

    AuthorityPages(Supplier<ApplianceConfig> config, ConfigEditor editor) {
        this.config = config;
        this.editor = editor;
    }

    /** One trusted certificate and the file it is in. */
    private record Anchor(X509Certificate cert, Path file, String fingerprint, String spki) {
    }

    Console.Response page(ConsoleSessions.Session s, String ok, String error) {
        StringBuilder b = new StringBuilder(4096).append(Html.message("ok", ok)).append(Html.message("error", error));
        ApplianceConfig.Verification v = config.get().verification();
        if (v == null) {
            return answer(s, b.append("<p>This appliance has no verification section.</p>"), error);
        }
        b.append("<p>verification.trustAnchors: <code>").append(Html.esc(v.trustAnchors())).append("</code> (")
                .append(Files.isDirectory(v.trustAnchors()) ? "a directory" : "a PEM bundle").append(")</p>");
        List<Anchor> anchors;
        try {
            anchors = anchors(v.trustAnchors());
        } catch (IOException | CertificateException e) {
            return answer(s, b.append(Html.message("error", "the trust anchors cannot be read: " + e.getMessage())),
                    error);
        }
        b.append("<table id=\"authorities\"><tr><th>Subject</th><th>SPKI SHA-256</th><th>Not before</th>")
                .append("<th>Not after</th><th>File</th><th></th></tr>");
        for (Anchor a : anchors) {
            b.append("<tr><td class=\"subject\">").append(Html.esc(a.cert().getSubjectX500Principal().getName()))
                    .append("</td><td><code>").append(Html.esc(a.spki())).append("</code></td><td>")
                    .append(a.cert().getNotBefore().toInstant()).append("</td><td>")
                    .append(a.cert().getNotAfter().toInstant()).append("</td><td>")
                    .append(Html.esc(a.file().getFileName())).append("</td><td>");
            if (s.role() == ConsoleUsers.Role.ADMIN) {
                b.append("<form method=\"post\" action=\"/console/authorities/remove\">").append(Html.csrf(s))
                        .append("<input type=\"hidden\" name=\"fingerprint\" value=\"").append(a.fingerprint())
                        .append("\"><button type=\"submit\" class=\"remove-ca\">Remove</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        if (s.role() == ConsoleUsers.Role.ADMIN) {
            b.append("<h2>Add an STI-CA</h2><form class=\"edit\" method=\"post\" action=\"/console/authorities/add\"")
                    .append(" enctype=\"multipart/form-data\">").append(Html.csrf(s))
                    .append("<label>Certificate (PEM or DER) <input type=\"file\" name=\"certificate\" id=\"f-certificate\">")
                    .append("</label><small>at most ").append(config.get().console().maxUploadBytes())
                    .append(" bytes (console.maxUploadBytes)</small>")
                    .append("<button type=\"submit\" id=\"add-ca\">Add</button></form>");
        }
        return answer(s, b, error);
    }

    private static Console.Response answer(ConsoleSessions.Session s, StringBuilder b, String error) {
        return Console.Response.html(error == null ? 200 : 422, Html.page("authorities", "Certificate Authorities", s,
                b.toString()));
    }

    Console.Response add(ConsoleSessions.Session s, Console.Request r, String user) {
        ApplianceConfig.Verification v = config.get().verification();
        if (v == null) {
            return page(s, null, "no verification section: there are no trust anchors to add to");
        }
        byte[] up = r.files().get("certificate");
        if (up == null || up.length == 0) {
            return page(s, null, "certificate: choose a certificate file to upload");
        }
        if (up.length > config.get().console().maxUploadBytes()) {
            return page(s, null, "certificate: " + up.length + " bytes is larger than console.maxUploadBytes ("
                    + config.get().console().maxUploadBytes() + ")");
        }
        X509Certificate cert;
        try {
            Collection<? extends java.security.cert.Certificate> cs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(up));
            if (cs.size() != 1) {
                return page(s, null, "certificate: the file holds " + cs.size() + " certificates; upload one CA at a time");
            }
            cert = (X509Certificate) cs.iterator().next();
        } catch (CertificateException | RuntimeException e) {
            return page(s, null, "certificate: not a PEM or DER X.509 certificate");
        }
        String subject = cert.getSubjectX500Principal().getName();
        if (cert.getBasicConstraints() < 0) {
            return page(s, null, "certificate: " + subject + " is not a CA certificate (basicConstraints CA is not set)");
        }
        boolean[] ku = cert.getKeyUsage();
        if (ku != null && (ku.length < 6 || !ku[5])) {
            return page(s, null, "certificate: " + subject + " is not a CA certificate (its key usage lacks keyCertSign)");
        }
        try {
            cert.checkValidity();
        } catch (CertificateException e) {
            return page(s, null, "certificate: " + subject + " is not valid now: " + e.getMessage());
        }
        String fp;
        List<Anchor> anchors;
        try {
            fp = fingerprint(cert.getEncoded());
            anchors = anchors(v.trustAnchors());
        } catch (IOException | CertificateException e) {
            return page(s, null, "the trust anchors cannot be read: " + e.getMessage());
        }
        for (Anchor a : anchors) {
            if (a.fingerprint().equals(fp)) {
                return page(s, null, "certificate: " + subject + " is trusted already (" + a.file().getFileName() + ")");
            }
        }
        String pem;
        try {
            pem = Pem.armour("CERTIFICATE", cert.getEncoded());
        } catch (CertificateException e) {
            return page(s, null, "certificate: " + e.getMessage());
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        Path dir = v.trustAnchors();
        try {
            if (Files.isDirectory(dir)) {
                files.put(dir.resolve("sti-ca-" + fp.substring(0, 16) + ".pem"), pem.getBytes(StandardCharsets.US_ASCII));
            } else {
                String old = Files.readString(dir, StandardCharsets.US_ASCII);
                files.put(dir, (old + (old.endsWith("\n") || old.isEmpty() ? "" : "\n") + pem)
                        .getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            return page(s, null, "the trust anchors cannot be read: " + e.getMessage());
        }
        ConfigEditor.Result res = editor.apply(user, r.address(), "add STI-CA " + subject + " sha256:" + fp, files);
        return res.ok() ? page(s, "STI-CA " + subject + " added and applied", null) : page(s, null, res.error());
    }

    Console.Response remove(ConsoleSessions.Session s, Console.Request r, String user) {
        ApplianceConfig.Verification v = config.get().verification();
        String fp = r.param("fingerprint");
        List<Anchor> anchors;
        try {
            anchors = v == null ? List.of() : anchors(v.trustAnchors());
        } catch (IOException | CertificateException e) {
            return page(s, null, "the trust anchors cannot be read: " + e.getMessage());
        }
        Anchor gone = null;
        for (Anchor a : anchors) {
            if (a.fingerprint().equals(fp)) {
                gone = a;
            }
        }
        if (gone == null) {
            return page(s, null, "no trusted certificate has that fingerprint (removed meanwhile?)");
        }
        StringBuilder rest = new StringBuilder();
        try {
            for (Anchor a : anchors) {
                if (a.file().equals(gone.file()) && a != gone) {
                    rest.append(Pem.armour("CERTIFICATE", a.cert().getEncoded()));
                }
            }
        } catch (CertificateException e) {
            return page(s, null, e.getMessage());
        }
        Map<Path, byte[]> files = new LinkedHashMap<>();
        boolean dir = Files.isDirectory(v.trustAnchors());
        files.put(gone.file(), rest.length() == 0 && dir ? null : rest.toString().getBytes(StandardCharsets.US_ASCII));
        String subject = gone.cert().getSubjectX500Principal().getName();
        ConfigEditor.Result res = editor.apply(user, r.address(), "remove STI-CA " + subject + " sha256:" + fp, files);
        return res.ok() ? page(s, "STI-CA " + subject + " removed and applied", null) : page(s, null, res.error());
    }

    Console.Response crl(ConsoleSessions.Session s) {
        ApplianceConfig.Verification v = config.get().verification();
        StringBuilder b = new StringBuilder(2048);
        ApplianceConfig.Crl c = v == null ? null : v.crl();
        if (c == null) {
            b.append("<p id=\"crl-none\">No revocation list is configured (verification.crl): certificates are not"
                    + " checked for revocation.</p>");
        } else {
            b.append("<table id=\"crl\"><tr><th>File</th><td>").append(Html.esc(c.file())).append("</td></tr>")
                    .append("<tr><th>Source</th><td>").append(c.url() == null ? "kept by the operator"
                            : Html.esc(c.url()) + ", every " + c.refreshSeconds() + " s").append("</td></tr>");
            try {
                X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
                        .generateCRL(new ByteArrayInputStream(Files.readAllBytes(c.file())));
                java.util.Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
                b.append("<tr><th>Last fetched or written</th><td>").append(Files.getLastModifiedTime(c.file()))
                        .append("</td></tr><tr><th>Issuer</th><td>").append(Html.esc(crl.getIssuerX500Principal().getName()))
                        .append("</td></tr><tr><th>This update</th><td>").append(crl.getThisUpdate().toInstant())
                        .append("</td></tr><tr><th>Next update</th><td>")
                        .append(crl.getNextUpdate() == null ? "-" : crl.getNextUpdate().toInstant())
                        .append("</td></tr><tr><th>Entries</th><td id=\"crl-entries\">")
                        .append(entries == null ? 0 : entries.size()).append("</td></tr></table>");
                if (entries != null) {
                    b.append("<table><tr><th>Serial</th><th>Revoked</th></tr>");
                    int shown = 0;
                    for (X509CRLEntry e : entries) {
                        if (shown++ == 500) {
                            b.append("<tr><td colspan=\"2\">and ").append(entries.size() - 500).append(" more</td></tr>");
                            break;
                        }
                        b.append("<tr><td><code>").append(e.getSerialNumber().toString(16)).append("</code></td><td>")
                                .append(e.getRevocationDate().toInstant()).append("</td></tr>");
                    }
                    b.append("</table>");
                }
            } catch (IOException | CertificateException | CRLException | RuntimeException e) {
                b.append("</table>").append(Html.message("error", "the CRL file cannot be read: " + e.getMessage()));
            }
        }
        return Console.Response.html(200, Html.page("crl", "CRL", s, b.toString()));
    }

    private static List<Anchor> anchors(Path where) throws IOException, CertificateException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(where, "*.{pem,crt}")) {
                ds.forEach(files::add);
            }
            files.sort(null);
        } else {
            files.add(where);
        }
        List<Anchor> out = new ArrayList<>();
        for (Path f : files) {
            for (X509Certificate x : Pem.readCertificates(f)) {
                out.add(new Anchor(x, f, fingerprint(x.getEncoded()),
                        Base64.getEncoder().encodeToString(sha256(x.getPublicKey().getEncoded()))));
            }
        }
        return out;
    }

    private static String fingerprint(byte[] der) {
        return HexFormat.of().formatHex(sha256(der));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
