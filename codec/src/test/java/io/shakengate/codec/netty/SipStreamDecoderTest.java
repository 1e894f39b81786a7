package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.CharsetUtil;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.testing.SipCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipStreamDecoderTest {

    static List<String> corpus() {
        List<String> names = new ArrayList<>(SipCorpus.RFC4475_VALID);
        // dblreq is about extra octets after a datagram's body; on a stream its second message's body is
        // 3 bytes longer than its Content-Length, which starts a third message that never ends.
        names.remove("dblreq");
        names.add("shaken");
        return names;
    }

    static byte[] bytes(String name) {
        return name.equals("shaken") ? SipCorpus.shakenInvite() : SipCorpus.rfc4475(name);
    }

    private static EmbeddedChannel channel(SipParseErrorCounters counters) {
        return new EmbeddedChannel(new SipStreamDecoder(SipDecoderConfig.DEFAULT, counters),
                SipBadRequestResponder.INSTANCE);
    }

    /** Reads every message out of the channel and returns their bytes, concatenated. */
    private static byte[] drain(EmbeddedChannel ch, List<SipMessage> seen) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SipMessage m; (m = ch.readInbound()) != null; ) {
            out.writeBytes(ByteBufUtil.getBytes(m.bytes()));
            seen.add(m);
            m.release();
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void shouldDecodeMessageSplitAtEveryByte(String name) {
        byte[] raw = bytes(name);
        SipParseErrorCounters counters = new SipParseErrorCounters();
        // One connection carries every split of the message, one after the other, as a real one would.
        EmbeddedChannel ch = channel(counters);
        for (int split = 1; split < raw.length; split++) {
            ch.writeInbound(Unpooled.wrappedBuffer(raw, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(raw, split, raw.length - split));
            List<SipMessage> seen = new ArrayList<>();
            assertArrayEquals(raw, drain(ch, seen), name + " split at " + split);
            assertEquals(1, seen.size(), name + " split at " + split);
        }
        assertEquals(0, counters.totalErrors());
        assertFalse(ch.finish());
    }

    @Test
    void shouldDecodeAMessageFedOneByteAtATime() {
        byte[] raw = SipCorpus.shakenInvite();
        EmbeddedChannel ch = channel(new SipParseErrorCounters());
        for (byte b : raw) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        List<SipMessage> seen = new ArrayList<>();
        assertArrayEquals(raw, drain(ch, seen));
        assertEquals(1, seen.size());
        assertFalse(ch.finish());
    }

    @Test
    void shouldTellAMessageUnderWayFromAStreamBetweenMessages() {
        byte[] raw = SipCorpus.shakenInvite();
        EmbeddedChannel ch = channel(new SipParseErrorCounters());
        SipStreamDecoder decoder = ch.pipeline().get(SipStreamDecoder.class);
        assertFalse(decoder.midMessage());
        ch.writeInbound(Unpooled.wrappedBuffer(raw, 0, 20)); // within the header block
        assertTrue(decoder.midMessage());
        ch.writeInbound(Unpooled.wrappedBuffer(raw, 20, raw.length - 30)); // the body not all there
        assertTrue(decoder.midMessage());
        assertEquals(0, decoder.framed());
        ch.writeInbound(Unpooled.wrappedBuffer(raw, raw.length - 10, 10));
        assertFalse(decoder.midMessage());
        assertEquals(1, decoder.framed());
        ch.writeInbound(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertFalse(decoder.midMessage(), "keep-alives are not a message under way");
        drain(ch, new ArrayList<>());
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldDecodeSeveralMessagesInOneBufferWithKeepAlivesBetween() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int messages = 0;
        for (String name : corpus()) {
            byte[] raw = bytes(name);
            all.writeBytes(raw);
            expected.writeBytes(raw);
            all.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            messages++;
        }
        EmbeddedChannel ch = channel(new SipParseErrorCounters());
        ch.writeInbound(Unpooled.wrappedBuffer(all.toByteArray()));
        List<SipMessage> seen = new ArrayList<>();
        assertArrayEquals(expected.toByteArray(), drain(ch, seen));
        assertEquals(messages, seen.size());
        assertNull(ch.readOutbound(), "a single CRLF is not a ping");
        assertFalse(ch.finish());
    }

    @Test
    void shouldAnswerADoubleCrlfPingWithAPong() {
        SipParseErrorCounters counters = new SipParseErrorCounters();
        EmbeddedChannel ch = channel(counters);
        ch.writeInbound(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuf pong = ch.readOutbound();
        assertEquals("\r\n", pong.toString(CharsetUtil.US_ASCII));
        pong.release();
        assertEquals(1, counters.count(SipParseError.KEEPALIVE));
        assertFalse(ch.finish());
    }

    @Test
    void shouldAnswerAndCloseWhenContentLengthIsMissing() {
        SipParseErrorCounters counters = new SipParseErrorCounters();
        EmbeddedChannel ch = channel(counters);
        String msg = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:c@d>\r\nCall-ID: nocl\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n";
        ch.writeInbound(Unpooled.wrappedBuffer(msg.getBytes(StandardCharsets.US_ASCII)));
        ByteBuf response = ch.readOutbound();
        assertTrue(response.toString(CharsetUtil.US_ASCII)
                .startsWith("SIP/2.0 400 Bad Request (Content-Length required on stream transports)\r\n"));
        response.release();
        assertFalse(ch.isOpen(), "framing is lost: the connection is closed");
        assertEquals(1, counters.count(SipParseError.CONTENT_LENGTH_MISSING));
        assertFalse(ch.finish());
    }

    @Test
    void shouldStopAnEndlessHeaderBlockAtItsLimit() {
        SipParseErrorCounters counters = new SipParseErrorCounters();
        EmbeddedChannel ch = new EmbeddedChannel(
                new SipStreamDecoder(SipDecoderConfig.DEFAULT.withMaxHeaderBlockBytes(4096), counters),
                SipBadRequestResponder.INSTANCE);
        ch.writeInbound(Unpooled.wrappedBuffer("INVITE sip:a@b SIP/2.0\r\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] line = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 200 && ch.isOpen(); i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(line));
        }
        assertFalse(ch.isOpen());
        assertEquals(1, counters.count(SipParseError.HEADER_BLOCK_TOO_LARGE));
        assertFalse(ch.finish());
    }
}
