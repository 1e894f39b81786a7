package io.shakengate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.netty.SipBadRequestResponder;
import io.shakengate.codec.netty.SipDatagramDecoder;
import io.shakengate.codec.netty.SipDecoderListener;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.cache.CertificateCache;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.stir.Blocking;
import io.shakengate.proxy.stir.Branding;
import io.shakengate.proxy.stir.Emergency;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.VerificationService;
import io.shakengate.proxy.transport.UdpSender;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a verifying listening point spends on a call, its real pipeline (datagram decoder, bad-request responder,
 * proxy handler with the PASSporT family on) on an embedded channel: a call carrying one SHAKEN PASSporT
 * ({@code shaken}) against a diverted, branded call carrying shaken + div + rcd ({@code family}: the div chained
 * to the shaken {@code dest}, the rcd with the rcdi digest of its logo, whose fetched digest is remembered, and
 * its name and logo presented as Call-Info and a display name). Each call has its own Call-ID and branch and its
 * own PASSporTs (1024 sets, signed before the run; the verifier remembers no signature outcome), so every
 * PASSporT costs its ECDSA verification.
 *
 * <p>{@code message=invite} is the INVITE alone (decode, every Identity header verified, the edit, the encode);
 * {@code message=call} adds the rest of the call's messages as they cross the point (180, 200, ACK, BYE, 200),
 * whose cost both forms share. {@code FamilyVerifyBenchmark} measures the verification service without SIP.
 * <pre>java -jar bench/target/microbenchmarks.jar FamilyCallBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class FamilyCallBenchmark {
    private static final String X5U = "https://certs.shakengate.bench/sti/1234.pem";
    private static final String LOGO = "https://brand.shakengate.bench/logo.png";
    private static final byte[] LOGO_BYTES = "logo".getBytes(StandardCharsets.US_ASCII);
    private static final String ORIG = "12155550121";
    private static final String FIRST = "12155550131";
    private static final String TO = "12155550199";
    private static final int SETS = 1024;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5062);
    private static final InetSocketAddress VERIFY = new InetSocketAddress("127.0.0.1", 5064);
    private static final InetSocketAddress UAS = new InetSocketAddress("127.0.0.1", 5080);

    /** shaken: one SHAKEN PASSporT; family: shaken + div + rcd. */
    @Param({"shaken", "family"})
    public String form;

    /** invite: the INVITE alone; call: the six messages of the call as they cross the verifying point. */
    @Param({"invite", "call"})
    public String message;

    private EmbeddedChannel verify;
    private final ProxyCounters counters = new ProxyCounters();
    private final List<String> identities = new ArrayList<>(SETS);
    private long call;

    @Setup
    public void setUp() throws Exception {
        DemoPki pki = new DemoPki("1234");
        EcdsaProvider provider = EcdsaProvider.selected();
        CertificateCache cache = new CertificateCache(CertificateCache.Config.DEFAULT,
                url -> CompletableFuture.completedFuture(CertificateFetcher.Response.failed(404, "HTTP 404")),
                System::currentTimeMillis);
        cache.preload(X5U, pki.chainPem().getBytes(StandardCharsets.US_ASCII));
        long now = System.currentTimeMillis() / 1000;
        PassportVerifier verifier = new PassportVerifier(PassportVerifier.Config.DEFAULT, cache,
                new ChainValidator(Set.of(new TrustAnchor(pki.root(), null)), null), () -> now, provider)
                .withTokenMemory(1);
        CertificateFetcher logo = url -> CompletableFuture.completedFuture(
                new CertificateFetcher.Response(200, LOGO_BYTES, null, null, null));
        VerificationService service = new VerificationService(verifier, ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS,
                VerificationPolicy.defaults(), Map.of(), null, VerificationService.DEFAULT_MAX_PASSPORTS)
                .withFamily(new Family(Emergency.DEFAULT, Blocking.NONE, Set.of(), Branding.NONE, logo, true,
                        Family.Presentation.BOTH));
        PassportSigner signer = new PassportSigner(new SignerPool(provider, pki.signerKeys().getPrivate()), X5U);
        ServiceConfig plain = new ServiceConfig(signer, Attestation.A, verifier, ServiceConfig.DEFAULT_VERIFY_BUDGET_MILLIS);
        ServiceConfig services = new ServiceConfig(plain.authentication(), service, Map.of());
        verify = new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT, SipDecoderListener.NONE),
                SipBadRequestResponder.INSTANCE,
                new SipProxyHandler(new ListeningPoint("verify", VERIFY, "127.0.0.1:5064", Role.VERIFY, UAS),
                        () -> services, counters, new StageLatency(), UdpSender.INSTANCE));
        boolean family = form.equals("family");
        for (int i = 0; i < SETS; i++) {
            StringBuilder h = new StringBuilder();
            h.append("Identity: ").append(signer.identity(new ShakenClaims(Attestation.A, ORIG,
                    List.of(family ? FIRST : TO), now, UUID.randomUUID().toString()))).append("\r\n");
            if (family) {
                h.append("Identity: ").append(signer.identity("div", Map.of("orig", Map.of("tn", ORIG), "dest",
                        Map.of("tn", List.of(TO)), "div", Map.of("tn", FIRST), "iat", now - i % 30))).append("\r\n");
                Map<String, Object> rcd = new LinkedHashMap<>();
                rcd.put("orig", Map.of("tn", ORIG));
                rcd.put("dest", Map.of("tn", List.of(FIRST)));
                rcd.put("iat", now - i % 30);
                rcd.put("rcd", Map.of("nam", "Example Clinic " + i, "icn", LOGO));
                rcd.put("rcdi", Map.of("/icn", RichCallData.integrity("sha256", LOGO_BYTES)));
                h.append("Identity: ").append(signer.identity("rcd", rcd)).append("\r\n");
            }
            identities.add(h.toString());
        }
        // every set verifies as it should, through the point: checked once, outside the timed part
        for (int i = 0; i < SETS; i++) {
            String forwarded = invite();
            boolean passed = forwarded.contains("verstat=TN-Validation-Passed");
            boolean presented = !family || (forwarded.contains("Call-Info: ") && forwarded.contains("Example Clinic"));
            if (!passed || !presented) {
                throw new IllegalStateException("benchmark call does not verify as " + form + ":\n" + forwarded);
            }
        }
    }

    @TearDown
    public void tearDown() {
        verify.finishAndReleaseAll();
    }

    /** One call at the verifying point: its INVITE, or all six of its messages; returns the bytes forwarded. */
    @Benchmark
    public int verifyCall() {
        long n = call;
        String forwarded = invite();
        int bytes = forwarded.length();
        if (message.equals("call")) {
            String toTag = ";tag=uas" + n;
            bytes += response(forwarded, "180 Ringing", "");
            bytes += response(forwarded, "200 OK", toTag);
            bytes += text(request("ACK", n, "a", 1, toTag, "")).length();
            String bye = text(request("BYE", n, "b", 2, toTag, ""));
            bytes += bye.length();
            bytes += response(bye, "200 OK", toTag);
        }
        return bytes;
    }

    /** The next call's INVITE through the point, as the point forwards it. */
    private String invite() {
        String ids = identities.get((int) (call & (SETS - 1)));
        return text(request("INVITE", call++, "", 1, "", ids));
    }

    private String text(ByteBuf forwarded) {
        String s = forwarded.toString(StandardCharsets.US_ASCII);
        forwarded.release();
        return s;
    }

    /** A request of call {@code n} from the peer through the point; what the point forwards. */
    private ByteBuf request(String method, long n, String branchSuffix, int cseq, String toTag, String identity) {
        String body = "INVITE".equals(method) ? "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" : "";
        String m = method + " sip:+" + TO + "@127.0.0.1:5064;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-f" + n + branchSuffix + "\r\n"
                + "From: \"Alice\" <sip:+" + ORIG + "@127.0.0.1;user=phone>;tag=uac" + n + "\r\n"
                + "To: <sip:+" + TO + "@127.0.0.1;user=phone>" + toTag + "\r\n"
                + ("INVITE".equals(method) ? "P-Asserted-Identity: <sip:+" + ORIG + "@127.0.0.1;user=phone>\r\n" : "")
                + "Call-ID: family-" + n + "@127.0.0.1\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:alice@127.0.0.1:5062>\r\n"
                + "Max-Forwards: 70\r\n"
                + identity
                + ("INVITE".equals(method) ? "Content-Type: application/sdp\r\n" : "")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        return through(m, PEER);
    }

    /** The UAS answers {@code request} (as the point forwarded it); the bytes the point sends back. */
    private int response(String request, String status, String toTag) {
        ByteBuf back = through(UasResponses.to(request, status, toTag), UAS);
        int n = back.readableBytes();
        back.release();
        return n;
    }

    private ByteBuf through(String message, InetSocketAddress source) {
        verify.writeInbound(new DatagramPacket(Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII), VERIFY,
                source));
        verify.runPendingTasks();
        DatagramPacket out = verify.readOutbound();
        if (out == null) {
            throw new IllegalStateException("nothing forwarded for\n" + message);
        }
        return out.content();
    }
}
