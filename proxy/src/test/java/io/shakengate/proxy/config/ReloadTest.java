package io.shakengate.proxy.config;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reload (by method and by a real SIGHUP) swaps policies and keys at once, and a bad one changes nothing. */
class ReloadTest {
    @TempDir
    Path dir;

    private String config(Path key, String attestation, int port, int next) {
        return String.join("\n",
                "signing:",
                "  key: " + key,
                "  x5u: https://certs.example.net/sti/1234.pem",
                "  attestation: " + attestation,
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + port + "\", role: sign, nextHop: \"127.0.0.1:" + next + "\" }",
                "");
    }

    @Test
    void reloadSwapsAttestationAndKeysAndABadReloadKeepsTheRunningConfiguration() throws Exception {
        Path key = Files.writeString(dir.resolve("k1.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        Path file = dir.resolve("shakengate.yaml");
        InetAddress lo = InetAddress.getLoopbackAddress();
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, lo)) {
            port = probe.getLocalPort();
        }
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            next.setSoTimeout(3000);
            Files.writeString(file, config(key, "C", port, next.getLocalPort()));
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                InetSocketAddress point = appliance.bound().get(0);
                assertEquals("C", LoopbackSip.attest(call(caller, point, next, "r1")));

                Files.writeString(file, config(key, "A", port, next.getLocalPort()));
                assertTrue(io.shakengate.proxy.ProxyMainAccess.reload(file, appliance));
                assertEquals("A", LoopbackSip.attest(call(caller, point, next, "r2")));

                Files.writeString(file, config(dir.resolve("missing.pem"), "B", port, next.getLocalPort()));
                assertFalse(io.shakengate.proxy.ProxyMainAccess.reload(file, appliance), "a missing key is refused");
                assertEquals("A", LoopbackSip.attest(call(caller, point, next, "r3")), "the running configuration stays");

                Files.writeString(file, config(key, "B", port + 1, next.getLocalPort()));
                assertThrows(IllegalArgumentException.class, () -> appliance.reload(
                        ApplianceConfig.parse(Files.readString(file), file.toString())), "points need a restart");

                // a real SIGHUP to this JVM, handled by the appliance's reload
                Files.writeString(file, config(key, "B", port, next.getLocalPort()));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                org.junit.jupiter.api.Assumptions.assumeFalse(io.shakengate.proxy.ProxyMainAccess.sighupIgnored(),
                        "started with SIGHUP ignored (nohup): no SIGHUP reaches this JVM");
                assertTrue(io.shakengate.proxy.ProxyMainAccess.onSighup(() -> io.shakengate.proxy.ProxyMainAccess.reload(
                        file, appliance, new PrintStream(out, true, StandardCharsets.UTF_8))));
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
                assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0);
                for (int i = 0; i < 50 && !out.toString(StandardCharsets.UTF_8).contains("reloaded"); i++) {
                    Thread.sleep(100);
                }
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("reloaded " + file));
                assertEquals("B", LoopbackSip.attest(call(caller, point, next, "r4")));
            }
        }
    }

    private static String call(DatagramSocket caller, InetSocketAddress to, DatagramSocket next, String id)
            throws Exception {
        LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), id, "12155550121", "12155550131", null));
        return LoopbackSip.receive(next);
    }
}
