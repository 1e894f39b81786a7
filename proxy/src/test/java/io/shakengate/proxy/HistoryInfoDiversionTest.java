package io.shakengate.proxy;

import com.nimbusds.jose.JWSObject;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call retargeted as History-Info (RFC 7044) tells, with no Diversion header: the sign point signs the SHAKEN
 * PASSporT for the number first called and a div PASSporT from it to the current target (RFC 8946), as for
 * Diversion; History-Info whose entries all name the current target is no diversion.
 */
class HistoryInfoDiversionTest {
    @TempDir
    Path dir;

    private static String invite(int port, String id, String historyInfo) {
        return "INVITE sip:+12155550199@127.0.0.1;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-" + id + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:+12155550121@127.0.0.1;user=phone>;tag=" + id + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\nCall-ID: " + id + "\r\n"
                + "CSeq: 1 INVITE\r\n" + historyInfo + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void aRetargetInHistoryInfoGetsADivPassport() throws Exception {
        Path key = Files.writeString(dir.resolve("k.pem"), CertificateRequests.privateKeyPem(
                CertificateRequests.newKeyPair()));
        int point = Sipp.freeUdpPort();
        try (DatagramSocket next = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            next.setSoTimeout(3000);
            String yaml = "signing: { key: " + key + ", x5u: \"https://certs.example.net/sti/1234.pem\" }\n"
                    + "listeningPoints:\n  - { name: out, listen: \"127.0.0.1:" + point + "\", role: sign, nextHop: "
                    + "\"127.0.0.1:" + next.getLocalPort() + "\" }\n";
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "t.yaml"))) {
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", point);
                LoopbackSip.send(caller, to, invite(caller.getLocalPort(), "hi-1",
                        "History-Info: <sip:+12155550131@127.0.0.1;user=phone>;index=1,"
                                + " <sip:+12155550199@127.0.0.1;user=phone?Reason=SIP%3Bcause%3D302>;index=1.1;rc=1\r\n"));
                String forwarded = LoopbackSip.receive(next);
                List<String> identities = forwarded.lines().filter(l -> l.startsWith("Identity: "))
                        .map(l -> l.substring(10)).toList();
                assertEquals(2, identities.size(), forwarded);
                Map<String, Object> shaken = claims(identities.get(0));
                Map<String, Object> div = claims(identities.get(1));
                assertTrue(identities.get(0).endsWith(";ppt=shaken") && identities.get(1).endsWith(";ppt=div"),
                        identities.toString());
                assertEquals(Map.of("tn", List.of("12155550131")), shaken.get("dest"), "SHAKEN: the number first called");
                assertEquals(Map.of("tn", "12155550131"), div.get("div"), "div: diverted from the number first called");
                assertEquals(Map.of("tn", List.of("12155550199")), div.get("dest"), "div: to the current target");
                assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.SIGNED_DIV));

                // every entry names the current target: no diversion, no div
                LoopbackSip.send(caller, to, invite(caller.getLocalPort(), "hi-2",
                        "History-Info: <sip:+12155550199@127.0.0.1;user=phone>;index=1,"
                                + " <sip:+12155550199@192.0.2.7;user=phone>;index=1.1\r\n"));
                String plain = LoopbackSip.receive(next);
                assertEquals(1, plain.lines().filter(l -> l.startsWith("Identity: ")).count(), plain);
                assertEquals(1, appliance.server().counters().get(ProxyCounters.Event.SIGNED_DIV));
            }
        }
    }

    private static Map<String, Object> claims(String identity) throws Exception {
        return JWSObject.parse(identity.substring(0, identity.indexOf(';'))).getPayload().toJSONObject();
    }
}
