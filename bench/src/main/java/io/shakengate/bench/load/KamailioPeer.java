package io.shakengate.bench.load;

import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.crypto.x509.Pem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The baseline of a load run: Kamailio (a C SIP server) doing the same two jobs as the appliance's two points,
 * statelessly, on two UDP sockets of one instance: port A signs INVITEs with its secsipid module
 * (secsipid_add_identity, attestation A) and forwards to port B, which verifies them
 * (secsipid_check_identity against the signer's public key), marks P-Asserted-Identity with verstat and forwards
 * to the UAS; every other request is forwarded likewise, responses by Via (Kamailio's core). Max-Forwards is
 * checked as the appliance does. With {@code forwardOnly} nothing is signed or verified. One worker per socket
 * ({@code children=1}), no shared-memory tuning: Kamailio's defaults.
 *
 * <p>Kamailio verifies against a public-key file (no certificate chain), the appliance against its validated
 * certificate cache; both sign a fresh PASSporT per call and verify each.
 */
final class KamailioPeer implements AutoCloseable {
    private final Process process;
    private final InetSocketAddress entry;

    private KamailioPeer(Process process, InetSocketAddress entry) {
        this.process = process;
        this.entry = entry;
    }

    /** Starts Kamailio in {@code dir}, pinned to {@code cpus} (taskset syntax) when not null. */
    static KamailioPeer start(Path dir, DemoPki pki, String x5u, int portA, int portB, int uasPort,
                              boolean forwardOnly, String cpus) throws IOException, InterruptedException {
        Path key = Files.writeString(dir.resolve("kamailio-signer.key.pem"), pki.signerKeyPem());
        Path pub = Files.writeString(dir.resolve("kamailio-signer.pub.pem"),
                Pem.armour("PUBLIC KEY", pki.signerKeys().getPublic().getEncoded()));
        String sign = forwardOnly ? "" : String.join("\n",
                "    if (is_method(\"INVITE\")) {",
                "      if (!secsipid_add_identity(\"$(ai{uri.user}{s.substr,1,0})\", \"$(rU{s.substr,1,0})\", \"A\", \"\", \""
                        + x5u + "\", \"" + key + "\")) {",
                "        sl_send_reply(\"500\", \"Signing Failed\"); exit;",
                "      }",
                "    }");
        String verify = forwardOnly ? "" : String.join("\n",
                "    if (is_method(\"INVITE\")) {",
                "      if (secsipid_check_identity(\"" + pub + "\")) {",
                "        subst_hf(\"P-Asserted-Identity\", \"/>/;verstat=TN-Validation-Passed>/\", \"f\");",
                "      } else {",
                "        subst_hf(\"P-Asserted-Identity\", \"/>/;verstat=TN-Validation-Failed>/\", \"f\");",
                "      }",
                "    }");
        Path cfg = Files.writeString(dir.resolve("kamailio.cfg"), String.join("\n",
                "#!KAMAILIO",
                "debug=1",
                "log_stderror=yes",
                "children=1",
                "auto_aliases=no",
                "listen=udp:127.0.0.1:" + portA,
                "listen=udp:127.0.0.1:" + portB,
                "mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"",
                "loadmodule \"sl.so\"",
                "loadmodule \"pv.so\"",
                "loadmodule \"maxfwd.so\"",
                "loadmodule \"textops.so\"",
                forwardOnly ? "" : "loadmodule \"secsipid.so\"",
                forwardOnly ? "" : "modparam(\"secsipid\", \"expire\", 300)",
                "request_route {",
                "  if (!mf_process_maxfwd_header(\"10\")) { sl_send_reply(\"483\", \"Too Many Hops\"); exit; }",
                "  if ($Rp == " + portA + ") {",
                sign,
                "    $du = \"sip:127.0.0.1:" + portB + "\";",
                "  } else {",
                verify,
                "    $du = \"sip:127.0.0.1:" + uasPort + "\";",
                "  }",
                "  forward();",
                "}", ""));
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        cmd.addAll(List.of("kamailio", "-f", cfg.toString(), "-DD", "-E", "-Y", dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Thread.sleep(1000); // forks its workers; the warm-up run follows anyway
        if (!p.isAlive()) {
            throw new IOException("Kamailio did not start: " + Files.readString(dir.resolve("kamailio.log")));
        }
        return new KamailioPeer(p, new InetSocketAddress("127.0.0.1", portA));
    }

    InetSocketAddress entry() {
        return entry;
    }

    /** The scheduler's run time of every thread of Kamailio's processes, in nanoseconds. */
    long cpuNanos() {
        long sum = 0;
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.toHandle().descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(h.pid()), "task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                }
            } catch (IOException | RuntimeException ended) {
                // the process or thread ended between the listing and the read
            }
        }
        return sum;
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
