package io.shakengate.proxy;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kamailio with its secsipid module (Debian kamailio-secsipid-modules; .ci/run installs it) verifies the
 * INVITEs the appliance signs: caller -> sign point -> Kamailio, which answers 200 when
 * secsipid_check_identity() accepts the Identity header and 403 otherwise; the answer comes back through
 * the appliance. Kamailio runs in the foreground on loopback and is stopped at the end.
 */
class KamailioInteropTest {
    @TempDir
    Path dir;

    @Test
    void kamailioVerifiesWhatTheApplianceSigns() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Path pub = Files.writeString(dir.resolve("pub.pem"), ee.publicKeyPem());
        int kamPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            kamPort = probe.getLocalPort();
        }
        Path cfg = Files.writeString(dir.resolve("kamailio.cfg"), String.join("\n",
                "#!KAMAILIO",
                "debug=2",
                "log_stderror=yes",
                "children=1",
                "auto_aliases=no",
                "listen=udp:127.0.0.1:" + kamPort,
                "mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"",
                "loadmodule \"sl.so\"",
                "loadmodule \"pv.so\"",
                "loadmodule \"textops.so\"",
                "loadmodule \"secsipid.so\"",
                "modparam(\"secsipid\", \"expire\", 300)",
                "request_route {",
                "  if (is_method(\"ACK\")) { exit; }",
                "  if (is_method(\"INVITE\")) {",
                "    if (secsipid_check_identity(\"" + pub + "\")) {",
                "      sl_send_reply(\"200\", \"Verified by Kamailio\");",
                "    } else {",
                "      sl_send_reply(\"403\", \"Identity Check Failed\");",
                "    }",
                "    exit;",
                "  }",
                "  sl_send_reply(\"501\", \"Not Implemented\");",
                "}", ""));
        Process kamailio;
        try {
            kamailio = new ProcessBuilder(List.of("kamailio", "-f", cfg.toString(), "-DD", "-E", "-Y", dir.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        } catch (IOException e) {
            fail("Kamailio is not installed (apt-get install kamailio kamailio-secsipid-modules; .ci/run does it)");
            return;
        }
        InetAddress lo = InetAddress.getLoopbackAddress();
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()),
                "https://cert.shakengate.test/sti/1234.pem");
        try (DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            caller.setSoTimeout(1000);
            InetSocketAddress point = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    Role.SIGN, new InetSocketAddress(lo, kamPort)), new ServiceConfig(signer, Attestation.A, null, 1500));
            String signed = call(caller, point, "kam-signed", null, 10);
            assertTrue(signed.startsWith("SIP/2.0 200 Verified by Kamailio\r\n"), signed + log());
            String forged = call(caller, point, "kam-forged",
                    "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.AAAA;info=<https://x.example/c.pem>;alg=ES256;ppt=shaken", 3);
            assertTrue(forged.startsWith("SIP/2.0 403 Identity Check Failed\r\n"), forged + log());
        } finally {
            kamailio.destroy();
            if (!kamailio.waitFor(5, TimeUnit.SECONDS)) {
                kamailio.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private String log() {
        try {
            return "\n" + Files.readString(dir.resolve("kamailio.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Sends an INVITE (retried while Kamailio starts) and returns the first response line block. */
    private static String call(DatagramSocket caller, InetSocketAddress to, String callId, String identity, int tries)
            throws Exception {
        String invite = LoopbackSip.signedInvite(caller.getLocalPort(), callId, identity);
        byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
        byte[] buf = new byte[65535];
        for (int i = 0; i < tries; i++) {
            caller.send(new DatagramPacket(b, b.length, to));
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                caller.receive(p);
                String answer = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
                if (!answer.startsWith("SIP/2.0 503 ") || i == tries - 1) {
                    return answer;
                }
                Thread.sleep(300); // Kamailio still starting: its port unreachable, the point answered 503
            } catch (SocketTimeoutException e) {
                // Kamailio may still be starting: the same INVITE again (same branch: a retransmission)
            }
        }
        return "(no answer)";
    }
}
