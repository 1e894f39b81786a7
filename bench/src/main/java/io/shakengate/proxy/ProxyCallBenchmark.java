package io.shakengate.proxy;

import io.shakengate.proxy.metrics.ProxyCounters;

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
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.x509.ChainValidator;
import io.shakengate.crypto.x509.DemoPki;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.transport.UdpSender;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The appliance's own work for one whole call, without the kernel: a signing and a verifying listening point
 * (their real pipelines: datagram decoder, bad-request responder, proxy handler) on embedded channels, and the
 * twelve messages of a call through them as SIPp sends them in {@code SippLoad}: INVITE (signed, then verified),
 * 180, 200, ACK, BYE, 200, each decoded, handled, edited and encoded by both points. Every call has its own
 * Call-ID and branch and gets a fresh PASSporT (no verified-token cache hit). What it leaves out is what the
 * event loop and the kernel add per datagram (epoll, recvmsg, sendmsg); {@code SippLoad} measures all of it.
 *
 * <p>Baselines in the same run: {@code signOnly} and {@code verifyOnly} (the ECDSA operations alone, raw), and
 * {@code roles=forward} (both points only forwarding: the messaging without STIR).
 * <pre>java -jar bench/target/microbenchmarks.jar ProxyCallBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class ProxyCallBenchmark {
    private static final InetSocketAddress UAC = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress SIGN = new InetSocketAddress("127.0.0.1", 5062);
    private static final InetSocketAddress VERIFY = new InetSocketAddress("127.0.0.1", 5064);
    private static final InetSocketAddress UAS = new InetSocketAddress("127.0.0.1", 5080);

    /** "shaken": the points sign and verify; "forward": both only forward (the messaging cost alone). */
    @Param({"shaken", "forward"})
    public String roles;

    /**
     * Microseconds each point sleeps (parked) before each message it reads, as an event loop between datagrams
     * at a live rate: 0 keeps the code hot; otherwise the per-point times show the cost of running it cold,
     * after a block and a wake-up (outside the timed part).
     */
    @Param({"0"})
    public int pauseMicros;

    private EmbeddedChannel sign;
    private EmbeddedChannel verify;
    private ProxyCounters counters;
    private long call;
    private io.shakengate.crypto.sign.Es256Signer signer;
    private io.shakengate.crypto.sign.Es256Verifier verifier;
    private java.security.PublicKey publicKey;
    private byte[] signature;
    private static final byte[] DATA = "eyJhbGciOiJFUzI1NiJ9.eyJhdHRlc3QiOiJBIn0".getBytes(StandardCharsets.US_ASCII);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        io.shakengate.bench.load.BenchServices bench =
                io.shakengate.bench.load.BenchServices.create("https://certs.shakengate.bench/sti/1234.pem");
        ServiceConfig services = bench.services();
        EcdsaProvider provider = bench.provider();
        DemoPki pki = bench.pki();
        counters = new ProxyCounters();
        StageLatency latency = new StageLatency();
        boolean shaken = roles.equals("shaken");
        sign = channel(new ListeningPoint("sign", SIGN, "127.0.0.1:5062", shaken ? Role.SIGN : Role.FORWARD, VERIFY),
                services, latency);
        verify = channel(new ListeningPoint("verify", VERIFY, "127.0.0.1:5064", shaken ? Role.VERIFY : Role.FORWARD,
                UAS), services, latency);
        signer = new SignerPool(provider, pki.signerKeys().getPrivate()).signer();
        verifier = new io.shakengate.crypto.sign.Es256Verifier(provider);
        publicKey = pki.signerKeys().getPublic();
        signature = signer.sign(DATA);
    }

    private EmbeddedChannel channel(ListeningPoint point, ServiceConfig services, StageLatency latency) {
        return new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT, SipDecoderListener.NONE),
                SipBadRequestResponder.INSTANCE,
                new SipProxyHandler(point, () -> services, counters, latency, UdpSender.INSTANCE));
    }

    private long signNanos;
    private long verifyNanos;
    private long callsBefore;

    /** Where a call's time went, per point (each point's six messages, decoding to encoding, crypto included). */
    @TearDown(Level.Iteration)
    public void split() {
        long calls = call - callsBefore;
        if (calls > 0) {
            System.out.printf("%n  per call: signing point %.1f us, verifying point %.1f us (%d calls)%n",
                    signNanos / 1e3 / calls, verifyNanos / 1e3 / calls, calls);
        }
        callsBefore = call;
        signNanos = 0;
        verifyNanos = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sign.finishAndReleaseAll();
        verify.finishAndReleaseAll();
        if (counters.get(ProxyCounters.Event.VERIFIED_PASSED) != counters.get(ProxyCounters.Event.SIGNED)) {
            throw new IllegalStateException("signed " + counters.get(ProxyCounters.Event.SIGNED) + ", passed "
                    + counters.get(ProxyCounters.Event.VERIFIED_PASSED));
        }
    }

    /** One call: INVITE, 180, 200, ACK, BYE, 200 through both points; returns the bytes the UAS and UAC got. */
    @Benchmark
    public int call() {
        long n = call++;
        String callId = "bench-" + n + "@127.0.0.1";
        String branch = "z9hG4bK-" + n;
        int bytes = 0;
        ByteBuf invite = through(sign, verify, request("INVITE", callId, branch, 1, ""), UAC, SIGN);
        String inviteText = invite.toString(StandardCharsets.US_ASCII);
        if (roles.equals("shaken") && !inviteText.contains("verstat=TN-Validation-Passed")) {
            throw new IllegalStateException("not verified:\n" + inviteText);
        }
        bytes += invite.readableBytes();
        invite.release();
        bytes += respond(inviteText, "180 Ringing", "");
        bytes += respond(inviteText, "200 OK", ";tag=uas" + n);
        ByteBuf ack = through(sign, verify, request("ACK", callId, branch + "a", 1, ";tag=uas" + n), UAC, SIGN);
        bytes += ack.readableBytes();
        ack.release();
        ByteBuf bye = through(sign, verify, request("BYE", callId, branch + "b", 2, ";tag=uas" + n), UAC, SIGN);
        String byeText = bye.toString(StandardCharsets.US_ASCII);
        bytes += bye.readableBytes();
        bye.release();
        bytes += respond(byeText, "200 OK", ";tag=uas" + n);
        return bytes;
    }

    private void pause() {
        if (pauseMicros > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(pauseMicros * 1000L);
        }
    }

    /** Baseline: one raw ES256 signature. */
    @Benchmark
    public int signOnly() {
        return signer.sign(DATA).length;
    }

    /** Baseline: one raw ES256 verification. */
    @Benchmark
    public boolean verifyOnly() {
        return verifier.verify(DATA, 0, DATA.length, signature, 0, signature.length, publicKey);
    }

    /** The UAS answers {@code request} (as forwarded by the verify point) with {@code status}, back to the UAC. */
    private int respond(String request, String status, String toTag) {
        ByteBuf back = through(verify, sign, UasResponses.to(request, status, toTag), UAS, VERIFY);
        int n = back.readableBytes();
        back.release();
        return n;
    }

    /** {@code message} from {@code source} into {@code first}, what it sends into {@code second}, what leaves that. */
    private ByteBuf through(EmbeddedChannel first, EmbeddedChannel second, String message,
                                   InetSocketAddress source, InetSocketAddress firstAddress) {
        ByteBuf in = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        pause();
        long t0 = System.nanoTime();
        first.writeInbound(new DatagramPacket(in, firstAddress, source));
        first.runPendingTasks();
        long t1 = System.nanoTime();
        DatagramPacket out = first.readOutbound();
        if (out == null) {
            throw new IllegalStateException("nothing forwarded for\n" + message);
        }
        DatagramPacket relayed = new DatagramPacket(out.content(), out.recipient(), firstAddress);
        pause();
        long t1b = System.nanoTime();
        second.writeInbound(relayed);
        second.runPendingTasks();
        long t2 = System.nanoTime() - (t1b - t1);
        if (first == sign) {
            signNanos += t1 - t0;
            verifyNanos += t2 - t1;
        } else {
            verifyNanos += t1 - t0;
            signNanos += t2 - t1;
        }
        DatagramPacket last = second.readOutbound();
        if (last == null) {
            StringBuilder c = new StringBuilder();
            for (ProxyCounters.Event e : ProxyCounters.Event.values()) {
                if (counters.get(e) != 0) {
                    c.append(e).append('=').append(counters.get(e)).append(' ');
                }
            }
            throw new IllegalStateException("nothing forwarded by the second point (" + c + ") for\n" + message);
        }
        return last.content();
    }

    private static String request(String method, String callId, String branch, int cseq, String toTag) {
        String body = "INVITE".equals(method) ? "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
                + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" : "";
        return method + " sip:+12155550131@127.0.0.1:5062;user=phone SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=" + branch + "\r\n"
                + "From: \"Alice\" <sip:+12155550121@127.0.0.1:5070;user=phone>;tag=uac" + callId.substring(0, callId.indexOf('@')) + "\r\n"
                + "To: <sip:+12155550131@127.0.0.1:5062;user=phone>" + toTag + "\r\n"
                + ("INVITE".equals(method) ? "P-Asserted-Identity: <sip:+12155550121@127.0.0.1;user=phone>\r\n" : "")
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:alice@127.0.0.1:5070>\r\n"
                + "Max-Forwards: 70\r\n"
                + ("INVITE".equals(method) ? "Content-Type: application/sdp\r\n" : "")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }
}
