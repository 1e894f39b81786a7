package io.shakengate.proxy;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.netty.SipBadRequestResponder;
import io.shakengate.codec.netty.SipDatagramDecoder;
import io.shakengate.codec.netty.SipDecoderListener;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.TelephoneNumbers;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.testing.Vectors;
import io.shakengate.proxy.http.HttpApiServer;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.transport.Transports;
import io.shakengate.proxy.transport.UdpSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One STIR service behind every front: each case of the synthetic manifest goes through the SIP proxy
 * point, the SIP redirect point and {@code POST /stir/v1/verification}, and all three give the manifest's
 * verstat and RFC 8224 code and the same outcome class. The SIP fronts show the code in their RFC 9410
 * Reason (a policy forwarding every failure with its reason) and the outcome class by the one policy (of seven,
 * each blocking one class with 608) that blocks the call; the API in its reasoncode and reasondesc. A set of
 * authentication-rule cases goes through a SIP sign point and {@code POST /stir/v1/signing} with the same
 * decision.
 */
class FrontsAgreeTest {
    private static final InetSocketAddress UAC = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress POINT = new InetSocketAddress("127.0.0.1", 5064);
    private static final InetSocketAddress UAS = new InetSocketAddress("127.0.0.1", 5080);
    private static final String X5U = "https://cert.example.com/sti/1234-good.pem";
    private static final Pattern VERSTAT = Pattern.compile("verstat=([A-Za-z-]+)");
    private static final Pattern CAUSE = Pattern.compile("\r\nReason: STIR;cause=(\\d+)");

    static EventLoopGroup group;
    static HttpApiServer api;
    static HttpClient client;
    static PassportSigner signer;

    /** What a front showed: its outcome class, verstat and RFC 8224 code (0 when passed). */
    record Seen(VerificationPolicy.OutcomeClass outcome, String verstat, int code) {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() {
        return (List<Map<String, Object>>) (List<?>) Vectors.syntheticManifest().get("cases");
    }

    static ServiceConfig verifying(VerificationPolicy policy) {
        return new ServiceConfig(null, Attestation.A, Vectors.syntheticVerifier(EcdsaProvider.selected(),
                Vectors.syntheticClock()), 1500, policy);
    }

    static final AuthenticationPolicy RULES = new AuthenticationPolicy(List.of(
            new AuthenticationPolicy.Rule("premium", null, List.of(), List.of("1900"), AuthenticationPolicy.Action.BLOCK),
            new AuthenticationPolicy.Rule("tollfree-callers", null, List.of("1800"), List.of(),
                    AuthenticationPolicy.Action.NO_SIGN),
            new AuthenticationPolicy.Rule("own-customers", "127.0.0.0/8", List.of("1215"), List.of(),
                    AuthenticationPolicy.Action.ATTEST_B, null, new AuthenticationPolicy.More(null, null, null, true))),
            AuthenticationPolicy.Action.ATTEST_C);

    @BeforeAll
    static void start() throws Exception {
        Transports transports = Transports.detect();
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        Path key = Files.createTempFile("ee-good", ".pem");
        Files.write(key, Vectors.bytes("ee-good.key.pem"));
        signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(), SigningKeys.readPrivateKey(key)), X5U);
        Files.delete(key);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, Vectors.syntheticVerifier(
                EcdsaProvider.selected(), Vectors.syntheticClock()), 1500, VerificationPolicy.defaults(), RULES);
        api = new HttpApiServer(group, transports, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
                new HttpApiServer.Limits(List::of, 16384, 30), () -> services, null, new ProxyCounters());
        client = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        api.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** {@code invite} into a point of {@code role}, proxying or redirecting; what it sent (null: nothing). */
    static String through(byte[] invite, ServiceConfig services, Role role, boolean redirect) {
        ListeningPoint p = new ListeningPoint("point", POINT, "127.0.0.1:5064", role, UAS, redirect);
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT, SipDecoderListener.NONE),
                SipBadRequestResponder.INSTANCE, redirect
                ? new SipRedirectHandler(p, () -> services, new ProxyCounters(), new StageLatency(), UdpSender.INSTANCE,
                new Drain(), new PendingInvites(16))
                : new SipProxyHandler(p, () -> services, new ProxyCounters(), new StageLatency(), UdpSender.INSTANCE));
        try {
            ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(invite), POINT, UAC));
            ch.runPendingTasks();
            DatagramPacket out = ch.readOutbound();
            if (out == null) {
                return null;
            }
            String text = out.content().toString(StandardCharsets.US_ASCII);
            out.release();
            return (out.recipient().equals(UAS) ? "FORWARDED\r\n" : "") + text;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** What a SIP front (proxy or redirect) shows for {@code invite}. */
    static Seen sip(String id, byte[] invite, boolean redirect) {
        VerificationPolicy withReason = VerificationPolicy.defaults();
        for (VerificationPolicy.OutcomeClass c : VerificationPolicy.OutcomeClass.values()) {
            withReason = withReason.with(c, c == VerificationPolicy.OutcomeClass.PASSED
                    ? VerificationPolicy.Action.FORWARD_VERSTAT : VerificationPolicy.Action.FORWARD_WITH_REASON);
        }
        String marked = through(invite, verifying(withReason), Role.VERIFY, redirect);
        assertNotNull(marked, id + ": nothing sent");
        assertTrue(redirect ? marked.startsWith("SIP/2.0 302 ") : marked.startsWith("FORWARDED\r\nINVITE "),
                id + ": " + marked);
        String identityLine = line(marked, redirect ? "P-Asserted-Identity:" : null);
        Matcher v = VERSTAT.matcher(identityLine);
        assertTrue(v.find(), id + ": no verstat in " + marked);
        Matcher c = CAUSE.matcher(marked);
        int code = c.find() ? Integer.parseInt(c.group(1)) : 0;
        VerificationPolicy.OutcomeClass outcome = null;
        for (VerificationPolicy.OutcomeClass k : VerificationPolicy.OutcomeClass.values()) {
            String answer = through(invite, verifying(VerificationPolicy.defaults()
                    .with(k, VerificationPolicy.Action.BLOCK_608)), Role.VERIFY, redirect);
            if (answer != null && answer.startsWith("SIP/2.0 608 ")) {
                assertEquals(null, outcome, id + ": blocked as " + outcome + " and as " + k);
                outcome = k;
            }
        }
        return new Seen(outcome, v.group(1), code);
    }

    /** The header line named {@code name} (null: the P-Asserted-Identity, else From, of a forwarded INVITE). */
    static String line(String message, String name) {
        String found = null;
        for (String l : message.split("\r\n")) {
            if (name != null ? l.startsWith(name) : l.startsWith("P-Asserted-Identity:")) {
                return l;
            }
            if (name == null && l.startsWith("From:")) {
                found = l;
            }
        }
        return found == null ? "" : found;
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.address().getPort() + path))
                .timeout(java.time.Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What {@code POST /stir/v1/verification} answers for the call of {@code invite}. */
    @SuppressWarnings("unchecked")
    static Seen http(String id, String invite) throws Exception {
        String caller = line(invite, null);
        String from = TelephoneNumbers.canonicalize(number(caller));
        String to = TelephoneNumbers.canonicalize(number(line(invite, "To:")));
        List<String> ids = new ArrayList<>();
        String date = null;
        for (String l : invite.split("\r\n")) {
            if (l.startsWith("Identity:")) {
                ids.add(l.substring(9).trim());
            } else if (l.startsWith("Date:")) {
                date = l.substring(5).trim();
            }
        }
        StringBuilder b = new StringBuilder("{\"verificationRequest\":{\"from\":{\"tn\":\"").append(from)
                .append("\"},\"to\":{\"tn\":[\"").append(to).append("\"]}");
        if (date != null) {
            b.append(",\"time\":").append(java.time.ZonedDateTime.parse(date,
                    java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond());
        }
        if (!ids.isEmpty()) {
            b.append(",\"identity\":").append(ids.size() == 1 ? quote(ids.get(0))
                    : "[" + String.join(",", ids.stream().map(FrontsAgreeTest::quote).toList()) + "]");
        }
        HttpResponse<String> r = post("/stir/v1/verification", b.append("}}").toString());
        assertEquals(200, r.statusCode(), id + ": " + r.body());
        Map<String, Object> v = (Map<String, Object>) JSONObjectUtils.parse(r.body()).get("verificationResponse");
        int code = v.get("reasoncode") == null ? 0 : ((Number) v.get("reasoncode")).intValue();
        VerificationFailure failure = null;
        for (VerificationFailure f : VerificationFailure.values()) {
            if (f.description().equals(v.get("reasondesc"))) {
                failure = f;
            }
        }
        assertTrue(code == 0 || failure != null, id + ": unknown reasondesc " + r.body());
        return new Seen(VerificationPolicy.classify(failure), (String) v.get("verstat"), code);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The telephone number of a name-addr header line (its sip: user part). */
    private static String number(String headerLine) {
        Matcher m = Pattern.compile("<(?:sip|tel):(\\+?[0-9]+)").matcher(headerLine);
        return m.find() ? m.group(1) : null;
    }

    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void everyFrontGivesTheSameOutcome(Map<String, Object> c) throws Exception {
        String id = (String) c.get("id");
        Map<String, Object> expect = (Map<String, Object>) c.get("expect");
        byte[] invite = Vectors.bytes("synthetic/" + c.get("sip"));
        Seen proxy = sip(id, invite, false);
        Seen redirect = sip(id, invite, true);
        Seen http = http(id, new String(invite, StandardCharsets.US_ASCII));
        assertEquals(proxy, redirect, id + ": proxy and redirect");
        assertEquals(proxy, http, id + ": proxy and HTTP API");
        assertNotNull(proxy.outcome(), id + ": no outcome class blocked the call");
        if ("policy".equals(expect.get("result"))) {
            // bad-no-date-header: this appliance verifies with iat alone (the digest's default)
            assertEquals(VerificationFailure.VERSTAT_PASSED, proxy.verstat(), id);
            return;
        }
        assertEquals(expect.get("verstat"), proxy.verstat(), id);
        int status = expect.get("sip_status") == null ? 0 : ((Number) expect.get("sip_status")).intValue();
        assertEquals(status, proxy.code(), id);
        assertEquals("valid".equals(expect.get("result")), proxy.outcome() == VerificationPolicy.OutcomeClass.PASSED, id);
    }

    /** One signing case: the numbers, the attestation the request names, and what each front must decide. */
    record SigningCase(String calling, String called, String requested, String decision, String sipAttest,
                       String apiAttest) {
    }

    @Test
    @SuppressWarnings("unchecked")
    void sipAndTheApiSignAlike() throws Exception {
        ServiceConfig services = new ServiceConfig(signer, Attestation.A, null, 1500, VerificationPolicy.defaults(), RULES);
        List<SigningCase> cases = List.of(
                new SigningCase("+12155550121", "+19005550100", "A", "blocked", null, null),
                new SigningCase("+18005550100", "+12155550131", "A", "not signed", null, null),
                // the rule trusts the request: Attestation-Info on SIP, attest on the API
                new SigningCase("+12155550121", "+12155550131", "A", "signed", "A", "A"),
                // the default signs with C over SIP; the API's attest is the softswitch's own (ATIS-1000082)
                new SigningCase("+13125550100", "+12155550131", "B", "signed", "C", "B"));
        for (SigningCase k : cases) {
            String invite = "INVITE sip:" + k.called() + "@127.0.0.1:5064;user=phone SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-" + k.calling() + k.called() + "\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:" + k.calling() + "@127.0.0.1;user=phone>;tag=a\r\n"
                    + "To: <sip:" + k.called() + "@127.0.0.1;user=phone>\r\nCall-ID: sign-" + k.calling() + "\r\n"
                    + "CSeq: 1 INVITE\r\nAttestation-Info: " + k.requested() + "\r\nContent-Length: 0\r\n\r\n";
            String out = through(invite.getBytes(StandardCharsets.US_ASCII), services, Role.SIGN, false);
            assertNotNull(out, k.toString());
            String sipDecision = out.startsWith("SIP/2.0 603 ") ? "blocked"
                    : !out.startsWith("FORWARDED") ? "answered " + out
                    : out.contains("\r\nIdentity: ") ? "signed" : "not signed";
            HttpResponse<String> r = post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"" + k.requested()
                    + "\",\"dest\":{\"tn\":[\"" + k.called().substring(1) + "\"]},\"iat\":" + System.currentTimeMillis()
                    / 1000 + ",\"orig\":{\"tn\":\"" + k.calling().substring(1)
                    + "\"},\"origid\":\"9f0c4b2e-5d1a-4c3b-8e7f-1a2b3c4d5e6f\"}}");
            String apiDecision = r.statusCode() == 200 ? "signed" : r.statusCode() == 403
                    ? (r.body().contains("the call is blocked") ? "blocked" : "not signed") : "answered " + r.body();
            assertEquals(k.decision(), sipDecision, k + ": SIP " + out);
            assertEquals(k.decision(), apiDecision, k + ": API " + r.body());
            if (k.sipAttest() != null) {
                assertEquals(k.sipAttest(), attest(line(out, "Identity:").substring(9).trim()), k.toString());
                assertEquals(k.apiAttest(), attest((String) ((Map<String, Object>) JSONObjectUtils.parse(r.body())
                        .get("signingResponse")).get("identity")), k.toString());
            }
        }
    }

    /** The attest claim of an Identity header value. */
    private static String attest(String identity) throws Exception {
        String payload = identity.split("\\.")[1];
        return (String) JSONObjectUtils.parse(new String(Base64.getUrlDecoder().decode(payload),
                StandardCharsets.UTF_8)).get("attest");
    }
}
