package io.shakengate.proxy;

import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.config.ApplianceConfig;

import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's out-of-band call (ATIS-1000096): one appliance started from a configuration file as an operator
 * would write it, with a sign point whose delivery is out-of-band (the PASSporT is published to the CPS, no
 * Identity header), a Call Placement Service served on its API listener, and a verify point that retrieves the
 * PASSporT from that CPS for the INVITE that arrives without one (as after a TDM hop). Files go to a temporary
 * directory, removed at the end.
 */
final class DemoCps {
    private DemoCps() {
    }

    /** Places one out-of-band call; true when the callee saw TN-Validation-Passed. */
    static boolean run(PrintStream out, DemoPki pki) throws Exception {
        Path dir = Files.createTempDirectory("shakengate-demo-cps");
        try (DatagramSocket callee = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DemoPki.Written files = pki.write(dir);
            Path key = files.signerKey();
            Path chain = files.chain();
            Path root = files.root();
            Path cert = files.tlsCertificate();
            Path repoKey = files.tlsKey();
            Path tokens = Files.writeString(dir.resolve("api-tokens"), "demo-api-token-0123456789\n");
            int repo = freePort();
            int api = freePort();
            int sign = freePort();
            int verify = freePort();
            Path file = Files.writeString(dir.resolve("shakengate.yaml"), String.join("\n",
                    "signing:",
                    "  key: " + key,
                    "  chain: " + chain,
                    "  x5u: \"https://127.0.0.1:" + repo + "/sti/1234.pem\"",
                    "  repository: { listen: \"127.0.0.1:" + repo + "\", certificate: " + cert + ", key: " + repoKey + " }",
                    "  attestation: A",
                    "  delivery: out-of-band              # published to the CPS, no Identity header",
                    "verification:",
                    "  trustAnchors: " + root,
                    "  allowPrivateHosts: true            # the demo's x5u and CPS are on loopback",
                    "  fetchTrust: " + root,
                    "  x5uPorts: [" + repo + "]",
                    "listeningPoints:",
                    "  - { name: originating, listen: \"127.0.0.1:" + sign + "\", role: sign, nextHop: \"127.0.0.1:"
                            + verify + "\" }",
                    "  - { name: terminating, listen: \"127.0.0.1:" + verify + "\", role: verify, nextHop: \"127.0.0.1:"
                            + callee.getLocalPort() + "\" }",
                    "api: { listen: \"127.0.0.1:" + api + "\", bearerTokens: " + tokens + " }",
                    "cps:",
                    "  serve: { audience: cps.demo.test, retentionSeconds: 15 }",
                    "  targets: [ { url: \"http://127.0.0.1:" + api + "\", audience: cps.demo.test } ]",
                    "  spc: \"1234\"",
                    "  retrieve: when-no-identity",
                    ""));
            out.println();
            out.println("out-of-band call: one appliance from " + file.getFileName() + ": sign point publishes to the"
                    + " CPS at http://127.0.0.1:" + api + "/passports/, verify point retrieves from it");
            try (Appliance appliance = Appliance.start(ApplianceConfig.parse(Files.readString(file), file.toString()))) {
                String invite = "INVITE sip:+12155550131@127.0.0.1;user=phone SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-demo-oob\r\n"
                        + "Max-Forwards: 70\r\nFrom: \"Alice\" <sip:+12155550121@127.0.0.1;user=phone>;tag=oob\r\n"
                        + "To: <sip:+12155550131@127.0.0.1;user=phone>\r\n"
                        + "P-Asserted-Identity: <sip:+12155550121@127.0.0.1;user=phone>\r\n"
                        + "Call-ID: demo-oob@shakengate\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
                byte[] b = invite.getBytes(StandardCharsets.US_ASCII);
                caller.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", sign)));
                callee.setSoTimeout(5000);
                DatagramPacket got = new DatagramPacket(new byte[65535], 65535);
                try {
                    callee.receive(got);
                } catch (SocketTimeoutException e) {
                    out.println("  callee: no INVITE arrived");
                    return false;
                }
                String in = new String(got.getData(), 0, got.getLength(), StandardCharsets.US_ASCII);
                boolean identity = in.lines().anyMatch(l -> l.regionMatches(true, 0, "Identity:", 0, 9));
                String pai = in.lines().filter(l -> l.startsWith("P-Asserted-Identity:")).findFirst().orElse("(none)");
                var c = appliance.server().counters();
                out.println("  originating: published to the CPS (oob_published " + c.get(
                        io.shakengate.proxy.metrics.ProxyCounters.Event.OOB_PUBLISHED) + "), no Identity header sent");
                out.println("  terminating: retrieved (oob_retrieved " + c.get(
                        io.shakengate.proxy.metrics.ProxyCounters.Event.OOB_RETRIEVED) + "), verified: " + pai);
                boolean ok = !identity && pai.contains("verstat=TN-Validation-Passed");
                out.println(ok ? "  the out-of-band PASSporT verified" : "  the out-of-band call did NOT verify");
                return ok;
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
