package io.shakengate.proxy.config;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.ProxyMainAccess;
import io.shakengate.proxy.Sipp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real SIGHUPs to this JVM during a steady SIPp run through a signing appliance built from its file: each
 * reloads the file (attestation and key change every time) and no call is lost.
 */
class SighupUnderLoadTest {
    @TempDir
    Path dir;

    private static String config(Path key, String attestation, int port, int uas) {
        return String.join("\n",
                "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\", attestation: " + attestation + " }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + port + "\", role: sign, nextHop: \"127.0.0.1:" + uas + "\" }",
                "");
    }

    @Test
    void reloadsUnderLoadLoseNoCall() throws Exception {
        Path key1 = Files.writeString(dir.resolve("k1.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        Path key2 = Files.writeString(dir.resolve("k2.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        int port = Sipp.freeUdpPort();
        int uasPort = Sipp.freeUdpPort();
        Path file = Files.writeString(dir.resolve("shakengate.yaml"), config(key1, "A", port, uasPort));
        int calls = 200;
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
            AtomicInteger applied = new AtomicInteger();
            org.junit.jupiter.api.Assumptions.assumeFalse(ProxyMainAccess.sighupIgnored(),
                    "started with SIGHUP ignored (nohup): no SIGHUP reaches this JVM");
            assertTrue(ProxyMainAccess.onSighup(() -> {
                if (ProxyMainAccess.reload(file, appliance)) {
                    applied.incrementAndGet();
                }
            }), "SIGHUP handler installed");
            Process uas = Sipp.start(dir.resolve("uas.log"), "-sf", Sipp.scenario(dir, "uas-identity.xml"), "-i",
                    "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls));
            Thread.sleep(300);
            Process uac = Sipp.start(dir.resolve("uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                    "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + port, "-m",
                    Integer.toString(calls), "-r", "50");
            int sent = 0;
            for (int i = 0; i < 8 && uac.isAlive(); i++) {
                Thread.sleep(400);
                Files.writeString(file, config(i % 2 == 0 ? key2 : key1, i % 2 == 0 ? "B" : "A", port, uasPort));
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
                assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0);
                sent++;
            }
            int uacExit = Sipp.waitFor(uac, 60);
            int uasExit = Sipp.waitFor(uas, 30);
            String detail = appliance.server().counters() + "\nUAC:\n" + Sipp.tail(dir.resolve("uac.log")) + "\nUAS:\n"
                    + Sipp.tail(dir.resolve("uas.log"));
            assertEquals(0, uacExit, "every call completes: " + detail);
            assertEquals(0, uasExit, "every INVITE signed: " + detail);
            assertEquals(calls, appliance.server().counters().get(ProxyCounters.Event.SIGNED), detail);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (applied.get() < sent && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(sent >= 5 && applied.get() == sent, "SIGHUPs sent " + sent + ", reloads applied " + applied.get());
        }
    }
}
