package io.shakengate.proxy.metrics;

import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.Appliance;
import io.shakengate.proxy.Sipp;
import io.shakengate.proxy.config.ApplianceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard the RPM installs names only metrics the appliance exports: every metric name in every
 * panel's query is a sample of /metrics of a running appliance with the sections the panels are about (signing
 * with a chain, verification, CPS client, a TCP point with a next-hop list).
 */
class DashboardTest {
    static final Path DASHBOARD = Path.of("..", "packaging", "src", "main", "grafana", "shakengate-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:shakengate|jvm|process|netty)_[a-z0-9_]+)");

    @TempDir
    Path dir;

    @Test
    void everyQueriedMetricIsExported() throws Exception {
        Map<String, Object> dashboard = com.nimbusds.jose.util.JSONObjectUtils.parse(Files.readString(DASHBOARD));
        List<Object> panels = com.nimbusds.jose.util.JSONObjectUtils.getJSONArray(dashboard, "panels");
        Set<String> queried = new TreeSet<>();
        for (Object p : panels) {
            @SuppressWarnings("unchecked")
            Map<String, Object> panel = (Map<String, Object>) p;
            for (Object t : com.nimbusds.jose.util.JSONObjectUtils.getJSONArray(panel, "targets")) {
                @SuppressWarnings("unchecked")
                String expr = (String) ((Map<String, Object>) t).get("expr");
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        assertTrue(queried.size() >= 20, "the panels query " + queried);

        TestPki pki = new TestPki(System.currentTimeMillis());
        TestPki.Issued ee = pki.endEntity(TestPki.Flaw.NONE);
        Path key = Files.writeString(dir.resolve("k.pem"), ee.privateKeyPem());
        Path chain = Files.writeString(dir.resolve("c.pem"), ee.certPem() + pki.intermediate.certPem());
        Path anchors = Files.writeString(dir.resolve("anchors.pem"), pki.root.certPem());
        int metrics = Sipp.freeTcpPort();
        String yaml = String.join("\n",
                "metrics: { listen: \"127.0.0.1:" + metrics + "\" }",
                "signing: { key: " + key + ", chain: " + chain + ", x5u: \"https://certs.example.net/sti/1234.pem\" }",
                "verification: { trustAnchors: " + anchors + " }",
                "cps: { targets: [ { url: \"http://127.0.0.1:9\", audience: cps.example.net } ], spc: \"1234\" }",
                "listeningPoints:",
                "  - { name: out, listen: \"127.0.0.1:" + Sipp.freeUdpPort() + "\", role: sign, nextHop: \"127.0.0.1:9\" }",
                "  - { name: in, transport: tcp, listen: \"127.0.0.1:" + Sipp.freeTcpPort() + "\", role: verify,"
                        + " nextHop: [\"127.0.0.1:9\", \"127.0.0.1:10\"] }",
                "");
        try (Appliance appliance = Appliance.start(ApplianceConfig.parse(yaml, "dashboard.yaml"))) {
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + metrics + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Set<String> missing = new TreeSet<>();
            for (String name : queried) {
                if (!text.contains("\n" + name + "{") && !text.contains("\n" + name + " ")) {
                    missing.add(name);
                }
            }
            assertEquals(Set.of(), missing, "metrics the dashboard queries that /metrics does not have:\n" + text);
            assertTrue(appliance.server().gates().size() == 1, "the tcp point's gate");
        }
    }
}
