package io.shakengate.proxy.config;

import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A graceful stop turns new calls away with 503, lets dialogs through, and ends at quiet or at the deadline. */
class DrainTest {
    @TempDir
    Path dir;

    private Appliance start(DatagramSocket next, String stop) throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(CertificateRequests.newKeyPair()));
        return Appliance.start(ApplianceConfig.parse(String.join("\n",
                "signing:",
                "  key: " + key,
                "  x5u: https://certs.example.net/sti/1234.pem",
                "stop: " + stop,
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:0\", role: sign, nextHop: \"127.0.0.1:" + next.getLocalPort() + "\" }",
                ""), "shakengate.yaml"));
    }

    @Test
    void newCallsGet503DialogsPassAndTheStopEndsWhenQuiet() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            next.setSoTimeout(3000);
            caller.setSoTimeout(3000);
            Appliance appliance = start(next, "{ quietMillis: 700, maxSeconds: 10 }");
            InetSocketAddress point = appliance.bound().get(0);
            LoopbackSip.send(caller, point, invite(caller, "d0", null));
            assertTrue(LoopbackSip.receive(next).startsWith("INVITE "), "before the stop, calls pass");

            long t0 = System.nanoTime();
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
                try {
                    return appliance.drainAndClose();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            LoopbackSip.send(caller, point, invite(caller, "d1", null));
            String answer = LoopbackSip.receive(caller);
            assertTrue(answer.startsWith("SIP/2.0 503 Service Unavailable\r\n") && answer.contains("\r\nRetry-After: 30\r\n"),
                    answer);
            LoopbackSip.send(caller, point, invite(caller, "d2", "totag"));
            assertTrue(LoopbackSip.receive(next).startsWith("INVITE "), "a re-INVITE in a dialog still passes");
            assertTrue(stopped.get(5, TimeUnit.SECONDS), "ended quiet");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 900 && ms < 4000, "waited for the quiet period after the last message: " + ms + " ms");
        }
    }

    @Test
    void trafficThatNeverStopsEndsAtTheDeadline() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            Appliance appliance = start(next, "{ quietMillis: 500, maxSeconds: 1 }");
            InetSocketAddress point = appliance.bound().get(0);
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> {
                try {
                    return appliance.drainAndClose();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            for (int i = 0; !stopped.isDone() && i < 40; i++) {
                LoopbackSip.send(caller, point, invite(caller, "k" + i, "totag"));
                Thread.sleep(100);
            }
            assertFalse(stopped.get(5, TimeUnit.SECONDS), "the deadline, not quiet, ended it");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 3000, "bounded by maxSeconds: " + ms + " ms");
        }
    }

    private static String invite(DatagramSocket caller, String id, String toTag) {
        return LoopbackSip.invite(caller.getLocalPort(), id, "12155550121", "12155550131", toTag);
    }
}
