package io.shakengate.proxy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ProxyMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void demoSignsVerifiesAndAnswersEveryCall() {
        assertEquals(ProxyMain.EXIT_OK, run("demo", "2"), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("verstat=TN-Validation-Passed"), text);
        assertTrue(text.contains(";alg=ES256;ppt=shaken"), text);
        assertTrue(text.contains("SIP/2.0 200 OK (back through both appliances)"), text);
        assertTrue(text.contains("signed=2, verified_passed=2, verified_failed=1"), text);
        assertTrue(text.contains("terminating: caught: P-Asserted-Identity: <sip:+12155550121;"
                + "verstat=TN-Validation-Failed@"), text);
        assertTrue(text.contains("demo: all 2 calls signed, verified and answered; the forged call caught;"
                + " the out-of-band call verified through the CPS"), text);
        assertTrue(text.contains("no Identity header sent"), text);
        assertTrue(text.contains("terminating: retrieved (oob_retrieved 1), verified: P-Asserted-Identity: "
                + "<sip:+12155550121;verstat=TN-Validation-Passed@"), text);
    }

    @Test
    void consoleUserWritesABcryptLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.io.InputStream in = System.in;
        java.nio.file.Path users = dir.resolve("users");
        try {
            System.setIn(new java.io.ByteArrayInputStream("a-long-enough-password\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(ProxyMain.EXIT_OK, run("console-user", users.toString(), "ops", "admin"),
                    err.toString(StandardCharsets.UTF_8));
            String written = java.nio.file.Files.readString(users);
            assertTrue(written.matches("(?s).*\nops admin \\$2[aby]\\$12\\$[./A-Za-z0-9]{53}\n"), written);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(users)));
            assertTrue(new io.shakengate.proxy.console.ConsoleUsers(users).check("ops", "a-long-enough-password")
                    != null, "the password checks");
            System.setIn(new java.io.ByteArrayInputStream("short\n".getBytes(StandardCharsets.UTF_8)));
            err.reset();
            assertEquals(ProxyMain.EXIT_FAILED, run("console-user", users.toString(), "ops2", "admin"));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("at least 12 characters"), err.toString());
            System.setIn(new java.io.ByteArrayInputStream("a-long-enough-password\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(ProxyMain.EXIT_FAILED, run("console-user", users.toString(), "ops", "root"));
            assertEquals(written, java.nio.file.Files.readString(users), "refusals write nothing");
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(ProxyMain.EXIT_USAGE, run());
        assertEquals(ProxyMain.EXIT_USAGE, run("frobnicate"));
        assertEquals(ProxyMain.EXIT_USAGE, run("demo", "many"));
        assertEquals(ProxyMain.EXIT_USAGE, run("demo", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: shakengate"));
    }

    @Test
    void helpIsHelpAndRunsNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        assertEquals(ProxyMain.EXIT_OK, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: shakengate run --config FILE"));
        out.reset();
        java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
        assertEquals(ProxyMain.EXIT_OK, run("keygen", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("shakengate keygen DIR"));
        assertTrue(java.nio.file.Files.notExists(cwd.resolve("--help")), "keygen --help made no key directory");
        for (String command : new String[] {"check-config", "demo", "run", "csr", "version", "status", "cert",
                "console-user"}) {
            out.reset();
            assertEquals(ProxyMain.EXIT_OK, run(command, "--help"), command);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("shakengate " + command), command + ": "
                    + out.toString(StandardCharsets.UTF_8));
        }
        out.reset();
        assertEquals(ProxyMain.EXIT_OK, run("help", "demo"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("shakengate demo [CALLS]"));
        err.reset();
        assertEquals(ProxyMain.EXIT_USAGE, run("demo", "many"));
        assertEquals("demo: CALLS must be a number from 1 to 1000, was 'many'",
                err.toString(StandardCharsets.UTF_8).trim());
    }

    @Test
    void keygenAndCsrMakeWhatAnStiCaExpects(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        assertEquals(ProxyMain.EXIT_OK, run("keygen", dir.toString()), err.toString(StandardCharsets.UTF_8));
        java.nio.file.Path key = dir.resolve("signing-key.pem");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(key)));
        io.shakengate.crypto.sign.SigningKeys.readPrivateKey(key);
        assertEquals(ProxyMain.EXIT_FAILED, run("keygen", dir.toString()), "never overwrites a key");

        out.reset();
        assertEquals(ProxyMain.EXIT_OK, run("csr", key.toString(), "1234", "Example Carrier", "US"),
                err.toString(StandardCharsets.UTF_8));
        String pem = out.toString(StandardCharsets.UTF_8);
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----"), pem);
        try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(
                new java.io.StringReader(pem))) {
            org.bouncycastle.pkcs.PKCS10CertificationRequest csr =
                    (org.bouncycastle.pkcs.PKCS10CertificationRequest) parser.readObject();
            assertTrue(csr.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                    .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .build(csr.getSubjectPublicKeyInfo())), "the CSR is signed by the key");
            assertTrue(csr.getSubject().toString().contains("CN=SHAKEN 1234"), csr.getSubject().toString());
            org.bouncycastle.asn1.x509.Extensions ext = org.bouncycastle.asn1.x509.Extensions.getInstance(
                    csr.getAttributes(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0]
                            .getAttrValues().getObjectAt(0));
            byte[] tn = ext.getExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.26"))
                    .getExtnValue().getOctets();
            assertEquals(List.of("1234"), io.shakengate.crypto.x509.TnAuthList.parse(tn).spcs());
        }
        assertEquals(ProxyMain.EXIT_FAILED, run("csr", key.toString(), "12", "Example Carrier", "US"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("SPC must be 4 or 5 letters and digits"));
    }

    @Test
    void versionNamesTransportAndProvider() {
        assertEquals(ProxyMain.EXIT_OK, run("version"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("transport ") && text.contains("ECDSA "), text);
    }
}
