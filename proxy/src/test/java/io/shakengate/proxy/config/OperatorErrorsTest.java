package io.shakengate.proxy.config;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.ProxyMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors an operator meets, each naming what is at fault: a port in use, a missing bearer-token file. */
class OperatorErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aPortInUseNamesThePoint() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                    + "listeningPoints:\n  - { name: to-carrier, listen: \"127.0.0.1:" + taken.getLocalPort()
                    + "\", role: sign, nextHop: \"127.0.0.1:5080\" }\n";
            IOException e = assertThrows(IOException.class, () -> Appliance.start(ApplianceConfig.parse(yaml, "t.yaml")));
            assertTrue(e.getMessage().contains("listening point 'to-carrier' cannot listen on udp 127.0.0.1:"
                    + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void aMetricsPortInUseNamesTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String yaml = "metrics: { listen: \"127.0.0.1:" + taken.getLocalPort() + "\" }\n"
                    + "listeningPoints:\n  - { name: fwd, listen: \"127.0.0.1:" + io.shakengate.proxy.Sipp.freeUdpPort()
                    + "\", nextHop: \"127.0.0.1:5080\" }\n";
            IOException e = assertThrows(IOException.class, () -> Appliance.start(ApplianceConfig.parse(yaml, "t.yaml")));
            assertTrue(e.getMessage().startsWith("metrics.listen cannot listen on tcp 127.0.0.1:" + taken.getLocalPort()
                    + ": ") && e.getMessage().endsWith("(another process has it)"), e.getMessage());
        }
    }

    @Test
    void checkConfigReadsTheBearerTokenFileThatRunReads() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        Path file = Files.writeString(dir.resolve("shakengate.yaml"), "signing: { key: " + key
                + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                + "api: { listen: \"127.0.0.1:7091\", bearerTokens: " + dir.resolve("missing-tokens") + " }\n"
                + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:5070\", role: sign, nextHop: \"127.0.0.1:5080\" }\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ProxyMain.EXIT_CONFIG, ProxyMain.run(new String[] {"check-config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("api.bearerTokens: no such file"),
                err.toString(StandardCharsets.UTF_8));
    }
}
