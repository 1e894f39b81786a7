package io.shakengate.bench.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.shakengate.codec.IdentityHeader;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipMessageEditor;
import io.shakengate.codec.SipParser;
import io.shakengate.codec.testing.SipCorpus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The codec's hot path for one typical SHAKEN INVITE (1,386 bytes: SDP body and one Identity header), as it
 * arrives in a pooled direct datagram buffer, on one thread:
 * <ul>
 *   <li>{@code copyBaseline}: copy the message into a new pooled buffer and release it, the floor any
 *       encode pays;</li>
 *   <li>{@code decode}: copy the datagram into a pooled heap buffer, frame and index it into a
 *       {@link SipMessage} (what SipDatagramDecoder does);</li>
 *   <li>{@code decodeAndRead}: the same plus what the verifier reads: From and To numbers, top Via branch,
 *       Identity info and token;</li>
 *   <li>{@code editAndEncode}: push a Via, add a 700-byte Identity header and write the message into a new
 *       pooled buffer.</li>
 * </ul>
 * Run with {@code -prof gc} to see the bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xms1g", "-Xmx1g"})
public class SipCodecBenchmark {
    private static final String VIA = "SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-sg-4b1c0a9e77d2";

    /** Netty 4.2's default (adaptive) allocator, which channels use; it caches on any thread, like JMH's. */
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
    private final SipMessageEditor editor = new SipMessageEditor();
    private ByteBuf datagram;
    private int length;
    private SipMessage parsed;
    private AsciiString identity;
    private byte[] array;

    @Setup(Level.Trial)
    public void setup() {
        byte[] invite = SipCorpus.shakenInvite();
        length = invite.length;
        array = invite;
        datagram = alloc.directBuffer(length).writeBytes(invite);
        parsed = decodeOnce();
        IdentityHeader id = parsed.identities().get(0);
        identity = new AsciiString(id.toString());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parsed.release();
        datagram.release();
    }

    /** What SipDatagramDecoder does: one copy into a pooled heap buffer, then parse its array. */
    private SipMessage decodeOnce() {
        ByteBuf copy = alloc.heapBuffer(length, length);
        copy.writeBytes(datagram, 0, length);
        int off = copy.arrayOffset();
        int end = parser.parse(copy.array(), off, off + length, true);
        if (end < 0) {
            copy.release();
            throw new IllegalStateException("corpus INVITE does not parse: " + parser.error());
        }
        int start = parser.messageStart() - off;
        return parser.build(copy, start, end - off - start);
    }

    @Benchmark
    public int copyBaseline() {
        ByteBuf out = alloc.directBuffer(length);
        out.writeBytes(datagram, 0, length);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /** Framing and indexing alone, on an array (no copy, no message object). */
    @Benchmark
    public int parseOnly() {
        return parser.parse(array, 0, length, true);
    }

    /**
     * Message objects are pooled per thread only on Netty's FastThreadLocal threads (event loops), where
     * SipDatagramDecoder runs; JMH's thread is not one, so each invocation runs a batch of operations as
     * an event loop would.
     */
    static final int BATCH = 100;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decode(Blackhole bh) {
        FastThreadLocalThread.runWithFastThreadLocal(() -> {
            for (int i = 0; i < BATCH; i++) {
                SipMessage m = decodeOnce();
                bh.consume(m.headerCount());
                m.release();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeAndRead(Blackhole bh) {
        FastThreadLocalThread.runWithFastThreadLocal(() -> {
            for (int i = 0; i < BATCH; i++) {
                SipMessage m = decodeOnce();
                bh.consume(m.from().telephoneNumber());
                bh.consume(m.to().telephoneNumber());
                bh.consume(m.topVia().branch());
                IdentityHeader id = m.identity(0);
                bh.consume(id.info());
                bh.consume(id.tokenLength());
                m.release();
            }
        });
    }

    @Benchmark
    public int editAndEncode() {
        ByteBuf out = editor.reset(parsed).pushVia(VIA).addHeader("Identity", identity).encode(alloc);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
