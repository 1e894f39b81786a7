package io.shakengate.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The three appliances' configuration files of a soak run, all on loopback: the sign appliance (UDP in-band,
 * calls from 1267 out-of-band over TCP), the verify appliance (x5u cache bounds shortened so that the x5u host's
 * faults bite within seconds; a 400 ms budget, below SIP's first retransmission) and the CPS (backed by redis).
 */
final class SoakConfigs {
    private static final String AUDIENCE = "cps.soak.test";

    private SoakConfigs() {
    }

    static void write(FaultSoak.Layout l) throws IOException {
        Path d = l.dir();
        String x5u = "https://127.0.0.1:" + l.x5u() + "/sti/1234.pem";
        String signing = String.join("\n",
                "signing:",
                "  key: " + d.resolve("key.pem"),
                "  chain: " + d.resolve("chain.pem"),
                "  x5u: \"" + x5u + "\"",
                "  attestation: A",
                "  delivery: in-band",
                "  rules:",
                "    - { name: over-tdm, callingPrefixes: [\"1267\"], action: attest-a, delivery: out-of-band }");
        String verification = String.join("\n",
                "verification:",
                "  trustAnchors: " + d.resolve("root.pem"),
                "  fetchTrust: " + d.resolve("root.pem"),
                "  allowPrivateHosts: true",
                "  x5uPorts: [" + l.x5u() + "]",
                "  budgetMillis: 400",
                "  cache: { minTtlSeconds: 1, maxTtlSeconds: 3, refreshAheadSeconds: 1, failureTtlSeconds: 1,"
                        + " breakerFailures: 5, breakerOpenSeconds: 2 }",
                "  decisionLog: { lines: failures, perSecond: 20 }");
        String cpsClient = String.join("\n",
                "cps:",
                "  targets: [ { url: \"http://127.0.0.1:" + l.cpsRelay() + "\", audience: " + AUDIENCE + " } ]",
                "  spc: \"1234\"",
                "  timeoutMillis: 300");
        String stop = "stop: { quietMillis: 500, maxSeconds: 3 }";
        Files.writeString(d.resolve("sign.yaml"), String.join("\n",
                "eventLoops: 1",
                stop,
                "metrics: { listen: \"127.0.0.1:" + l.signMetrics() + "\" }",
                signing,
                cpsClient,
                "  retrieve: off",
                "listeningPoints:",
                "  - { name: sign-udp, transport: udp, listen: \"127.0.0.1:" + l.signUdp() + "\", role: sign,"
                        + " nextHop: \"127.0.0.1:" + l.verifyUdp() + "\" }",
                "  - { name: sign-tcp, transport: tcp, listen: \"127.0.0.1:" + l.signTcp() + "\", role: sign,"
                        + " nextHop: \"127.0.0.1:" + l.verifyTcp() + "\" }",
                ""));
        Files.writeString(d.resolve("verify.yaml"), String.join("\n",
                "eventLoops: 1",
                stop,
                "metrics: { listen: \"127.0.0.1:" + l.verifyMetrics() + "\" }",
                signing, // CPS retrieval tokens are signed with this key
                verification,
                cpsClient,
                "  retrieve: when-no-identity",
                "listeningPoints:",
                "  - { name: verify-udp, transport: udp, listen: \"127.0.0.1:" + l.verifyUdp() + "\", role: verify,"
                        + " nextHop: \"127.0.0.1:" + l.uasUdp() + "\" }",
                "  - { name: verify-tcp, transport: tcp, listen: \"127.0.0.1:" + l.verifyTcp() + "\", role: verify,"
                        + " nextHop: \"127.0.0.1:" + l.uasTcp() + "\" }",
                ""));
        Files.writeString(d.resolve("cps.yaml"), String.join("\n",
                "eventLoops: 1",
                "metrics: { listen: \"127.0.0.1:" + l.cpsMetrics() + "\" }",
                verification,
                "api: { listen: \"127.0.0.1:" + l.cpsApi() + "\", bearerTokens: " + d.resolve("tokens") + " }",
                "cps:",
                "  serve: { audience: " + AUDIENCE + ", retentionSeconds: 15, store: redis, redis: \"127.0.0.1:"
                        + l.redis() + "\" }",
                "listeningPoints:",
                "  - { name: unused, transport: udp, listen: \"127.0.0.1:" + FaultSoak.udpPort() + "\", role: forward,"
                        + " nextHop: \"127.0.0.1:9\" }",
                ""));
    }
}
