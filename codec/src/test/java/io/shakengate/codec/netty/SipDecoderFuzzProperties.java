package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipHeaderName;
import io.shakengate.codec.SipMalformedMessage;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipMessageChecks;
import io.shakengate.codec.SipMessageEditor;
import io.shakengate.codec.SipParseException;
import io.shakengate.codec.SipResponses;
import io.shakengate.codec.testing.LeakCheck;
import io.shakengate.codec.testing.SipCorpus;
import io.shakengate.codec.testing.SipMutator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Random mutations and truncations of valid INVITEs never throw out of either decoder, never leak a buffer,
 * and every typed view, the checks, the editor and the response builder either work or report a
 * {@link SipParseException}: nothing else escapes.
 */
class SipDecoderFuzzProperties {
    static {
        LeakCheck.install();
    }

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 5060);
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5070);

    @BeforeContainer
    static void install() {
        LeakCheck.install();
    }

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Provide
    Arbitrary<byte[]> mutatedInvites() {
        Arbitrary<SipMutator.Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 5),
                        Arbitraries.doubles().between(0, 1),
                        Arbitraries.oneOf(Arbitraries.of(toList(SipMutator.INTERESTING)), Arbitraries.bytes()))
                .as(SipMutator.Mutation::new);
        return Combinators.combine(Arbitraries.integers().between(0, SipMutator.SEEDS.size() - 1),
                mutation.list().ofMinSize(1).ofMaxSize(6)).as(SipMutator::apply);
    }

    private static List<Byte> toList(byte[] bytes) {
        Byte[] boxed = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            boxed[i] = bytes[i];
        }
        return Arrays.asList(boxed);
    }


    @Property(tries = 10000)
    void datagramDecoderNeverThrowsNorLeaks(@ForAll("mutatedInvites") byte[] bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT,
                new SipParseErrorCounters()), SipBadRequestResponder.INSTANCE);
        ch.writeInbound(new io.netty.channel.socket.DatagramPacket(Unpooled.wrappedBuffer(bytes), LOCAL, PEER));
        drain(ch);
        assertFalse(ch.finish());
    }

    @Property(tries = 5000)
    void streamDecoderNeverThrowsNorLeaks(@ForAll("mutatedInvites") byte[] bytes,
                                          @ForAll("splits") double split) {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(SipDecoderConfig.DEFAULT,
                new SipParseErrorCounters()), SipBadRequestResponder.INSTANCE);
        int at = (int) (split * bytes.length);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, at));
        if (ch.isOpen()) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, at, bytes.length - at));
        }
        drain(ch);
        ch.finishAndReleaseAll();
    }

    @Provide
    Arbitrary<Double> splits() {
        return Arbitraries.doubles().between(0, 1);
    }

    private static void drain(EmbeddedChannel ch) {
        for (Object o; (o = ch.readInbound()) != null; ) {
            try {
                if (o instanceof SipMessage m) {
                    exercise(m);
                } else if (!(o instanceof SipMalformedMessage)) {
                    throw new AssertionError("unexpected " + o);
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    /** Calls every view; only SipParseException may come out. */
    static void exercise(SipMessage m) {
        List<Supplier<Object>> views = List.of(m::topVia, m::vias, m::from, m::to, m::callId, m::cseq, m::maxForwards,
                m::contacts, m::routes, m::recordRoutes, m::pAssertedIdentities, m::identities, m::reasons, m::date,
                m::contentType, m::contentLengthHeader, m::startLine, m::methodName, m::reasonPhrase,
                () -> m.isRequest() ? m.requestUri() : null, () -> SipMessageChecks.check(m),
                () -> m.headerValues(SipHeaderName.VIA), () -> m.from() == null ? null : m.from().uri().telephoneNumber(),
                () -> m.topVia() == null ? null : m.topVia().branch(),
                () -> m.topVia() == null ? null : m.topVia().rport(),
                () -> m.identities().isEmpty() ? null : m.identities().get(0).info(),
                () -> m.identities().isEmpty() ? null : m.identities().get(0).ppt(),
                () -> m.to() == null ? null : m.to().uri().numberParam("verstat"), () -> edited(m), () -> response(m));
        for (Supplier<Object> view : views) {
            try {
                view.get();
            } catch (SipParseException expected) {
                // malformed input reported as such: the only acceptable failure
            }
        }
        for (int i = 0; i < m.headerCount(); i++) {
            m.headerName(i);
            m.headerNameString(i);
            m.headerValue(i);
        }
    }

    private static Object edited(SipMessage m) {
        SipMessageEditor editor = new SipMessageEditor().reset(m);
        editor.pushVia("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfuzz");
        editor.removeHeaders(SipHeaderName.IDENTITY);
        editor.addHeader("Identity", "a.b.c;info=<https://example.com/c.pem>;alg=ES256;ppt=shaken");
        NameAddress from = m.from();
        if (from != null) {
            editor.setNumberParam(from, "verstat", "TN-Validation-Passed");
        }
        if (m.isRequest()) {
            editor.decrementMaxForwards();
        }
        ByteBuf out = editor.encode(UnpooledByteBufAllocator.DEFAULT);
        out.release();
        return null;
    }

    private static Object response(SipMessage m) {
        if (SipResponses.canAnswer(m)) {
            SipResponses.to(m, 403, "Forbidden").build(UnpooledByteBufAllocator.DEFAULT).release();
        }
        return null;
    }
}
