package io.shakengate.proxy.config;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.LoopbackSip;
import io.shakengate.proxy.ProxyMainAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verification policy per listening point: calls without Identity are forwarded with No-TN-Validation on the
 * lenient point and refused (428) on the strict one; a reload changes a point's policy; a policy for a point
 * that does not exist is refused.
 */
class PointPoliciesTest {
    @TempDir
    Path dir;

    private String config(Path anchors, int next, String strict) {
        return String.join("\n",
                "verification:",
                "  trustAnchors: " + anchors,
                "  policy: { no-identity: forward-verstat }",
                "  pointPolicies:",
                "    strict: { no-identity: " + strict + " }",
                "listeningPoints:",
                "  - { name: lenient, listen: \"127.0.0.1:0\", role: verify, nextHop: \"127.0.0.1:" + next + "\" }",
                "  - { name: strict, listen: \"127.0.0.1:0\", role: verify, nextHop: \"127.0.0.1:" + next + "\" }",
                "");
    }

    @Test
    void eachPointItsPolicyAndAReloadChangesIt() throws Exception {
        Path anchors = Files.createDirectory(dir.resolve("sti-ca"));
        Files.writeString(anchors.resolve("root.pem"), new TestPki(System.currentTimeMillis()).root.certPem());
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            next.setSoTimeout(3000);
            caller.setSoTimeout(3000);
            Path file = Files.writeString(dir.resolve("s.yaml"), config(anchors, next.getLocalPort(), "reject"));
            try (Appliance a = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                LoopbackSip.send(caller, a.bound().get(0), LoopbackSip.invite(caller.getLocalPort(), "p1",
                        "12155550121", "12155550131", null));
                assertTrue(LoopbackSip.receive(next).contains("verstat=No-TN-Validation"));
                LoopbackSip.send(caller, a.bound().get(1), LoopbackSip.invite(caller.getLocalPort(), "p2",
                        "12155550121", "12155550131", null));
                String refused = LoopbackSip.receive(caller);
                assertTrue(refused.startsWith("SIP/2.0 428 "), refused);

                Files.writeString(file, config(anchors, next.getLocalPort(), "forward-unchanged"));
                assertTrue(ProxyMainAccess.reload(file, a));
                LoopbackSip.send(caller, a.bound().get(1), LoopbackSip.invite(caller.getLocalPort(), "p3",
                        "12155550121", "12155550131", null));
                String forwarded = LoopbackSip.receive(next);
                assertTrue(forwarded.contains("Call-ID: p3") && !forwarded.contains("verstat="), forwarded);
            }
        }
        String bad = config(anchors, 5060, "reject").replace("    strict: {", "    stricter: {");
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(bad, "s.yaml"));
        assertTrue(e.getMessage().contains("'stricter', which is no listening point"), e.getMessage());
    }
}
