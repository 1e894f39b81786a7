package io.shakengate.proxy;

import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.RevocationList;
import io.shakengate.proxy.config.ApplianceConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * Keeps the STI-PA revocation list current when {@code verification.crl.url} is set: fetches it (at start
 * when the file is missing, then every {@code refreshSeconds}), checks it against its signer chain and the
 * STI-PA root before anything else sees it, writes it atomically over {@code verification.crl.file} (the
 * service's state directory: the unit makes /etc read-only) and applies it as a reload does. A fetch that
 * fails or a CRL that is refused changes nothing and says why. Runs on its own daemon thread, never on an
 * event loop.
 */
final class CrlFetcher {
    /** The most a CRL may weigh. */
    static final int MAX_BYTES = 16 << 20;

    private final ApplianceConfig.Crl crl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    CrlFetcher(ApplianceConfig.Crl crl) {
        this.crl = crl;
    }

    /**
     * Fetches and checks the CRL; writes it if it differs from the file. True if the file changed. Throws
     * IOException saying what failed (network, status, size, or the CRL refused).
     */
    boolean fetch() throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(crl.url()).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("verification.crl.url " + crl.url() + ": HTTP " + r.statusCode());
            }
            body = in.readNBytes(MAX_BYTES + 1);
        }
        if (body.length > MAX_BYTES) {
            throw new IOException("verification.crl.url " + crl.url() + ": larger than " + MAX_BYTES + " bytes");
        }
        List<X509Certificate> chain = Pem.readCertificates(crl.signerChain());
        List<X509Certificate> root = Pem.readCertificates(crl.root());
        if (chain.isEmpty() || root.size() != 1) {
            throw new IOException("verification.crl: signerChain needs at least one certificate and root exactly one");
        }
        try {
            RevocationList.load(body, chain, root.get(0), new Date());
        } catch (IllegalArgumentException e) {
            throw new IOException("verification.crl.url " + crl.url() + ": " + e.getMessage(), e);
        }
        if (Files.exists(crl.file()) && Arrays.equals(Files.readAllBytes(crl.file()), body)) {
            return false;
        }
        Path tmp = crl.file().resolveSibling(crl.file().getFileName() + ".tmp");
        Files.write(tmp, body);
        Files.move(tmp, crl.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** One refresh: fetch, and when the file changed apply it with {@code apply}; logs the outcome. */
    void refresh(Runnable apply, PrintStream out, PrintStream err) {
        try {
            if (fetch()) {
                apply.run();
                out.println("CRL updated from " + crl.url());
            }
        } catch (IOException e) {
            err.println("CRL not updated, the current one stays: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("CRL not updated, the current one stays: " + e);
        }
    }
}
