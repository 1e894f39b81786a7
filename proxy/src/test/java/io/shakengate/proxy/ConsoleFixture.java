package io.shakengate.proxy;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.console.Console;
import io.shakengate.proxy.console.ConsoleUsers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An appliance with the console, as its tests need it: a sign point and a verify point on loopback (UDP), the
 * signer's chain served over HTTPS by the sign side's repository, the verify side trusting at first only an
 * unrelated STI-CA (a directory of anchors), an admin and a viewer, the configuration in a file with comments
 * that the console edits and reloads.
 */
public final class ConsoleFixture implements AutoCloseable {
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-1234";
    public static final String VIEWER = "viewer";
    public static final String VIEWER_PASSWORD = "viewer-password-1234";

    public final Path dir;
    public final Path file;
    public final Path anchors;
    public final Path audit;
    public final Path list;
    public final DemoPki pki = new DemoPki("1234");
    public final int signPort;
    public final int verifyPort;
    public final int uasPort;
    public final int metricsPort;
    public final Appliance appliance;
    public final Console console;

    public ConsoleFixture(Path dir) throws Exception {
        this(dir, null);
    }

    /** With {@code crlOf} (a test PKI whose intermediate signs a CRL revoking {@code revokedSerial}) as verification.crl. */
    public ConsoleFixture(Path dir, TestPki crlOf) throws Exception {
        this.dir = dir;
        String crlLine = "";
        if (crlOf != null) {
            Path crl = Files.write(dir.resolve("sti-pa.crl"), crlOf.crlRevoking(crlOf.endEntity(TestPki.Flaw.NONE)
                    .cert()).getEncoded());
            Path signer = Files.writeString(dir.resolve("crl-signer.pem"), crlOf.intermediate.certPem());
            Path crlRoot = Files.writeString(dir.resolve("crl-root.pem"), crlOf.root.certPem());
            crlLine = "  crl: { file: " + crl + ", signerChain: " + signer + ", root: " + crlRoot + " }";
        }
        DemoPki.Written files = pki.write(dir);
        Path key = files.signerKey();
        Path chain = files.chain();
        Path root = Files.copy(files.root(), dir.resolve("demo-root.pem")); // the file the browser uploads
        Path tlsCert = files.tlsCertificate();
        Path tlsKey = files.tlsKey();
        anchors = Files.createDirectories(dir.resolve("sti-ca"));
        Files.writeString(anchors.resolve("other-ca.pem"), new TestPki(System.currentTimeMillis()).root.certPem());
        Path tokens = Files.writeString(dir.resolve("tokens"), "console-test-token-0123456789\n");
        list = Files.writeString(dir.resolve("toll-free.txt"), "# toll-free callers\n1888\n");
        Path users = dir.resolve("console-users");
        ConsoleUsers.put(users, ADMIN, "admin", ADMIN_PASSWORD.toCharArray());
        ConsoleUsers.put(users, VIEWER, "viewer", VIEWER_PASSWORD.toCharArray());
        audit = dir.resolve("audit.log");
        int repo = Sipp.freeTcpPort();
        int api = Sipp.freeTcpPort();
        signPort = Sipp.freeUdpPort();
        verifyPort = Sipp.freeUdpPort();
        uasPort = Sipp.freeUdpPort();
        metricsPort = Sipp.freeTcpPort();
        file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                "# ShakenGate under test: the console edits this file",
                "metrics: { listen: \"127.0.0.1:" + metricsPort + "\" }",
                "signing:",
                "  key: " + key + "          # the demo signer",
                "  chain: " + chain,
                "  x5u: \"https://127.0.0.1:" + repo + "/sti/1234.pem\"",
                "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + tlsCert + ", key: " + tlsKey + " }",
                "  attestation: C                  # when no rule matches",
                "  decisionLog: { lines: all, perSecond: 1000 }",
                "  rules:",
                "    # the rules the operator wrote by hand",
                "    - { name: premium, calledPrefixes: [\"1900\"], action: block }",
                "    - { name: listed, callingList: " + list + ", action: attest-b }",
                "",
                "verification:",
                "  trustAnchors: " + anchors + "    # a directory of STI-CA roots",
                "  allowPrivateHosts: true         # the x5u host is on loopback here",
                "  fetchTrust: " + root,
                "  x5uPorts: [" + repo + "]",
                "  decisionLog: { lines: all, perSecond: 1000 }",
                crlLine,
                "  policy:",
                "    no-identity: forward-verstat  # keep calls flowing",
                "    signature-failure: forward-with-reason",
                "",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + signPort + "\", role: sign, nextHop: \"127.0.0.1:" + verifyPort + "\" }",
                "  - { name: in, listen: \"127.0.0.1:" + verifyPort + "\", role: verify, nextHop: \"127.0.0.1:" + uasPort + "\" }",
                "",
                "api: { listen: \"127.0.0.1:" + api + "\", bearerTokens: " + tokens + " }",
                "console:",
                "  users: " + users,
                "  auditLog: " + audit,
                "  loginFailures: 5",
                "  loginWindowSeconds: 300",
                "  maxUploadBytes: 65536",
                "# the end",
                ""));
        appliance = Appliance.start(read(file));
        console = ConsoleAssembly.attach(appliance, file, () -> appliance.reload(read(file)));
    }

    private static ApplianceConfig read(Path file) throws IOException {
        return ApplianceConfig.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** The console's base URL. */
    public String url(String path) {
        return "http://127.0.0.1:" + appliance.apiAddress().getPort() + path;
    }

    @Override
    public void close() {
        appliance.close();
    }
}
