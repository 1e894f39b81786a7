package io.shakengate.proxy;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PASSporT family, 603+ and emergency calls end to end with SIPp on loopback (UDP):
 * <ul>
 *   <li>SIPp UAC (a diverted call from a branded number with Resource-Priority ets.0) -> sign point (adds shaken,
 *       div, rcd and rph) -> a tap that records what the sign point sent -> verify point -> SIPp UAS, which
 *       fails the call unless it sees all four Identity headers, verstat=TN-Validation-Passed, the branded
 *       display name, the logo's Call-Info, Resource-Priority and div/rcd result headers saying passed; the
 *       test then compares the UAS's Identity headers with the tap's, byte for byte;</li>
 *   <li>a sign point whose rule blocks on analytics: SIPp sees 603 Network Blocked with the exact Reason;</li>
 *   <li>a 603+ from a downstream UAS reaches the UAC through both points unchanged, once;</li>
 *   <li>an emergency INVITE (911) with a failing Identity reaches the UAS under a reject-everything policy,
 *       while the same failing Identity to an ordinary number is answered 438.</li>
 * </ul>
 */
class FamilySippTest {
    private static final String X5U = "https://cert.shakengate.test/sti/1234.pem";
    private static final String LOGO = "https://brand.shakengate.test/clinic.png";
    private static final byte[] LOGO_BYTES = "PNG, as the brand serves it".getBytes(StandardCharsets.US_ASCII);
    private static final String REASON = "SIP;cause=603;text=\"v=analytics1;url=https://redress.shakengate.test/"
            + "blocked;tel=+18005550100\";location=RLN";
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki.Issued ee;
    static PassportSigner signer;
    static Family family;
    static ProxyServer server;

    @BeforeAll
    static void setUp() throws Exception {
        pki = new TestPki(System.currentTimeMillis());
        ee = pki.endEntity(TestPki.Flaw.NONE);
        signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), ee.keys().getPrivate()), X5U);
        CertificateFetcher logo = url -> CompletableFuture.completedFuture(url.equals(LOGO)
                ? new CertificateFetcher.Response(200, LOGO_BYTES, null, null, null)
                : CertificateFetcher.Response.failed(404, "HTTP 404"));
        family = new Family(Emergency.DEFAULT, new Blocking("RLN", "https://redress.shakengate.test/blocked",
                "+18005550100", null, null), Set.of("ets"), new Branding(List.of(new Branding.Brand("12155550121",
                "Example Clinic", LOGO, RichCallData.integrity("sha256", LOGO_BYTES)))), logo, true,
                Family.Presentation.BOTH);
        server = new ProxyServer(Transports.detect(), 2, SipDecoderConfig.DEFAULT);
    }

    @AfterAll
    static void tearDown() {
        server.close();
    }

    private static ServiceConfig services(AuthenticationPolicy signing, VerificationPolicy verifying) {
        PassportVerifier verifier = TestServices.preloadedVerifier(pki, ee, X5U);
        return new ServiceConfig(new AuthenticationService(signer, signing, null, family),
                new VerificationService(verifier, ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS, verifying, Map.of(),
                        null, 8).withFamily(family), Map.of());
    }

    private static InetSocketAddress point(String name, Role role, InetSocketAddress next, ServiceConfig s)
            throws InterruptedException {
        Supplier<ServiceConfig> fixed = () -> s;
        return server.bind(new ListeningPoint(name, new InetSocketAddress(LO, 0), null, role, next), fixed);
    }

    @Test
    void theFamilyIsSignedVerifiedAndPassedOnUnchanged() throws Exception {
        ServiceConfig s = services(AuthenticationPolicy.always(Attestation.A), VerificationPolicy.defaults()
                .withResultHeaders(new VerificationPolicy.ResultHeaders(null, null, null, "X-Div-Result",
                        "X-Rcd-Result")));
        int calls = 5;
        ProxyCounters c = server.counters();
        long[] before = {c.passports("shaken", null), c.passports("div", null), c.passports("rcd", null),
            c.passports("rph", null), c.get(ProxyCounters.Event.SIGNED_DIV), c.get(ProxyCounters.Event.SIGNED_RCD),
            c.get(ProxyCounters.Event.SIGNED_RPH)};
        int uasPort = Sipp.freeUdpPort();
        InetSocketAddress verify = point("family-verify", Role.VERIFY, new InetSocketAddress(LO, uasPort), s);
        try (Tap tap = new Tap(verify)) {
            InetSocketAddress sign = point("family-sign", Role.SIGN, tap.address(), s);
            Path uasMessages = dir.resolve("uas-family-messages.log");
            Process uas = Sipp.start(dir.resolve("uas-family.log"), "-sf", Sipp.scenario(dir, "uas-family.xml"),
                    "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-m", Integer.toString(calls), "-trace_msg",
                    "-message_file", uasMessages.toString());
            Thread.sleep(300);
            Process uac = Sipp.start(dir.resolve("uac-family.log"), "-sf", Sipp.scenario(dir, "uac-family.xml"),
                    "-i", "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + sign.getPort(),
                    "-m", Integer.toString(calls), "-r", "10");
            int uacExit = Sipp.waitFor(uac, 60);
            int uasExit = Sipp.waitFor(uas, 30);
            String detail = server.counters() + "\nUAC:\n" + Sipp.tail(dir.resolve("uac-family.log")) + "\nUAS:\n"
                    + Sipp.tail(dir.resolve("uas-family.log")) + Sipp.tail(dir.resolve("uas-family.log.err"));
            assertEquals(0, uacExit, "every call completes: " + detail);
            assertEquals(0, uasExit, "the UAS saw the whole family verified on every INVITE: " + detail);

            Map<String, List<String>> atUas = identities(Files.readString(uasMessages));
            assertEquals(calls, atUas.size(), "INVITEs at the UAS: " + atUas.keySet());
            for (Map.Entry<String, List<String>> e : atUas.entrySet()) {
                List<String> sent = tap.identities.get(e.getKey());
                assertEquals(sent, e.getValue(), "the Identity headers the sign point sent reach the UAS unchanged");
                assertEquals(4, sent.size(), sent.toString());
                for (String identity : sent) {
                    JWSObject jws = JWSObject.parse(identity.substring(0, identity.indexOf(';')));
                    assertTrue(jws.verify(new ECDSAVerifier((ECPublicKey) ee.keys().getPublic())), identity);
                }
            }
            List<String> ppts = List.of("shaken", "div", "rcd", "rph");
            for (int i = 0; i < ppts.size(); i++) {
                assertEquals(before[i] + calls, c.passports(ppts.get(i), null), ppts.get(i) + " passed: " + detail);
            }
            assertEquals(before[4] + calls, c.get(ProxyCounters.Event.SIGNED_DIV));
            assertEquals(before[5] + calls, c.get(ProxyCounters.Event.SIGNED_RCD));
            assertEquals(before[6] + calls, c.get(ProxyCounters.Event.SIGNED_RPH));
        }
    }

    @Test
    void aCallBlockedOnAnalyticsIsAnswered603PlusAndA603PlusFromDownstreamPassesUnchangedOnce() throws Exception {
        ServiceConfig blocking = services(new AuthenticationPolicy(List.of(new AuthenticationPolicy.Rule("robocalls",
                null, List.of("1215"), List.of(), AuthenticationPolicy.Action.BLOCK)),
                AuthenticationPolicy.Action.ATTEST_A), VerificationPolicy.defaults());
        long before = server.counters().get(ProxyCounters.Event.BLOCKED_ANALYTICS);
        InetSocketAddress blocker = point("blocker", Role.SIGN, new InetSocketAddress(LO, Sipp.freeUdpPort()),
                blocking);
        Path uacMessages = dir.resolve("uac-603-messages.log");
        Process uac = Sipp.start(dir.resolve("uac-603.log"), "-sf", Sipp.scenario(dir, "uac-603plus.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + blocker.getPort(), "-m", "1",
                "-trace_msg", "-message_file", uacMessages.toString());
        assertEquals(0, Sipp.waitFor(uac, 30), "603 Network Blocked with the exact Reason: "
                + Sipp.tail(dir.resolve("uac-603.log")) + Sipp.tail(dir.resolve("uac-603.log.err")));
        assertTrue(Files.readString(uacMessages).contains("SIP/2.0 603 Network Blocked\r\n"));
        assertTrue(Files.readString(uacMessages).contains("\r\nReason: " + REASON + "\r\n"), "exact bytes");
        assertEquals(before + 1, server.counters().get(ProxyCounters.Event.BLOCKED_ANALYTICS));

        // downstream: UAS answers 603+; the UAC gets it through sign and verify points, unchanged and once
        ServiceConfig plain = services(AuthenticationPolicy.always(Attestation.A), VerificationPolicy.defaults());
        int uasPort = Sipp.freeUdpPort();
        InetSocketAddress verify = point("down-verify", Role.VERIFY, new InetSocketAddress(LO, uasPort), plain);
        InetSocketAddress sign = point("down-sign", Role.SIGN, verify, plain);
        Process uas = Sipp.start(dir.resolve("uas-603.log"), "-sf", Sipp.scenario(dir, "uas-603plus.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(uasPort), "-m", "1");
        Thread.sleep(300);
        Path relayed = dir.resolve("uac-603-down-messages.log");
        Process caller = Sipp.start(dir.resolve("uac-603-down.log"), "-sf", Sipp.scenario(dir, "uac-603plus.xml"),
                "-i", "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + sign.getPort(), "-m",
                "1", "-trace_msg", "-message_file", relayed.toString());
        String detail = Sipp.tail(dir.resolve("uac-603-down.log")) + Sipp.tail(dir.resolve("uac-603-down.log.err"))
                + Sipp.tail(dir.resolve("uas-603.log")) + Sipp.tail(dir.resolve("uas-603.log.err"));
        assertEquals(0, Sipp.waitFor(caller, 30), "the 603+ reached the caller: " + detail);
        assertEquals(0, Sipp.waitFor(uas, 30), "the UAS got one INVITE and its ACK: " + detail);
        String log = Files.readString(relayed);
        assertEquals(1, log.split("SIP/2\\.0 603 Network Blocked\r\n", -1).length - 1, "once: " + log);
        assertTrue(log.contains("\r\nReason: " + REASON + "\r\n"), "unchanged: " + log);
    }

    @Test
    void anEmergencyCallIsNeverRefused() throws Exception {
        VerificationPolicy rejectAll = VerificationPolicy.defaults();
        for (VerificationPolicy.OutcomeClass c : VerificationPolicy.OutcomeClass.values()) {
            if (c != VerificationPolicy.OutcomeClass.PASSED) {
                rejectAll = rejectAll.with(c, VerificationPolicy.Action.REJECT);
            }
        }
        ServiceConfig s = services(AuthenticationPolicy.always(Attestation.A), rejectAll);
        long before = server.counters().get(ProxyCounters.Event.EMERGENCY_NOT_REFUSED);
        int uasPort = Sipp.freeUdpPort();
        InetSocketAddress verify = point("strict-verify", Role.VERIFY, new InetSocketAddress(LO, uasPort), s);
        Process uas = Sipp.start(dir.resolve("uas-plain.log"), "-sf", Sipp.scenario(dir, "uas-plain.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(uasPort), "-m", "1");
        Thread.sleep(300);
        Process emergency = Sipp.start(dir.resolve("uac-emergency.log"), "-sf",
                Sipp.scenario(dir, "uac-emergency.xml"), "-i", "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()),
                "127.0.0.1:" + verify.getPort(), "-m", "1");
        String detail = Sipp.tail(dir.resolve("uac-emergency.log")) + Sipp.tail(dir.resolve("uac-emergency.log.err"));
        assertEquals(0, Sipp.waitFor(emergency, 30), "the emergency call reached the UAS: " + detail);
        assertEquals(0, Sipp.waitFor(uas, 30));
        assertEquals(before + 1, server.counters().get(ProxyCounters.Event.EMERGENCY_NOT_REFUSED));

        Process ordinary = Sipp.start(dir.resolve("uac-rejected.log"), "-sf", Sipp.scenario(dir, "uac-rejected.xml"),
                "-i", "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + verify.getPort(), "-m",
                "1");
        assertEquals(0, Sipp.waitFor(ordinary, 30), "the same Identity to an ordinary number is refused with 436: "
                + Sipp.tail(dir.resolve("uac-rejected.log")) + Sipp.tail(dir.resolve("uac-rejected.log.err")));
        assertTrue(server.counters().passports("shaken", VerificationFailure.HEADER_MALFORMED) >= 2,
                server.counters().toString());
    }

    /** Identity header lines of each INVITE in a SIPp message log, by Call-ID. */
    private static Map<String, List<String>> identities(String log) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (String message : log.split("\r\n\r\n")) {
            int start = message.indexOf("INVITE sip:");
            if (start < 0) {
                continue;
            }
            List<String> lines = message.substring(start).lines().toList();
            String callId = lines.stream().filter(l -> l.startsWith("Call-ID: ")).findFirst().orElse("?");
            out.put(callId.substring(9), lines.stream().filter(l -> l.startsWith("Identity: "))
                    .map(l -> l.substring(10)).collect(Collectors.toList()));
        }
        return out;
    }

    /** Forwards datagrams to {@code to}, recording the Identity headers of each INVITE by Call-ID. */
    private static final class Tap implements AutoCloseable {
        final Map<String, List<String>> identities = new ConcurrentHashMap<>();
        private final DatagramSocket socket;
        private final Thread thread;

        Tap(InetSocketAddress to) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(LO, 0));
            thread = new Thread(() -> {
                byte[] buf = new byte[65536];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                        if (text.startsWith("INVITE ")) {
                            List<String> lines = text.substring(0, text.indexOf("\r\n\r\n")).lines().toList();
                            String callId = lines.stream().filter(l -> l.startsWith("Call-ID: ")).findFirst()
                                    .orElse("?: ?").substring(9);
                            identities.put(callId, new ArrayList<>(lines.stream().filter(l -> l.startsWith(
                                    "Identity: ")).map(l -> l.substring(10)).toList()));
                        }
                        socket.send(new DatagramPacket(p.getData(), p.getLength(), to));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "tap");
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            socket.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
