package io.shakengate.codec.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.CharsetUtil;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMalformedMessage;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParseError;
import io.shakengate.codec.testing.SipCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipDatagramDecoderTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 5060);
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.2", 5062);

    private final SipParseErrorCounters counters = new SipParseErrorCounters();

    private EmbeddedChannel channel(SipDecoderConfig config) {
        return new EmbeddedChannel(new SipDatagramDecoder(config, counters), SipBadRequestResponder.INSTANCE);
    }

    private static DatagramPacket packet(byte[] bytes) {
        return new DatagramPacket(Unpooled.wrappedBuffer(bytes), LOCAL, PEER);
    }

    @Test
    void shouldDecodeOneDatagramIntoOneMessageWithItsAddresses() {
        EmbeddedChannel ch = channel(SipDecoderConfig.DEFAULT);
        byte[] invite = SipCorpus.shakenInvite();
        assertTrue(ch.writeInbound(packet(invite)));
        SipMessage m = ch.readInbound();
        assertEquals(new String(invite, StandardCharsets.UTF_8), m.toString());
        assertEquals(PEER, m.sender());
        assertEquals(LOCAL, m.recipient());
        assertEquals(1, counters.requests());
        m.release();
        assertFalse(ch.finish());
    }

    @ParameterizedTest
    @CsvSource({
        "clerr, 400 Bad Request (Content-Length larger than datagram)",
        "ncl, 400 Bad Request (invalid Content-Length)",
        "ltgtruri, 400 Bad Request (invalid Request-URI)",
        "lwsruri, 400 Bad Request (malformed start line)",
        "lwsstart, 400 Bad Request (malformed start line)",
        "trws, 400 Bad Request (malformed start line)",
        "badvers, 505 Version Not Supported",
    })
    void shouldAnswerMalformedRequestsWithAReasonPhraseNamingTheProblem(String name, String statusLine) {
        EmbeddedChannel ch = channel(SipDecoderConfig.DEFAULT);
        assertFalse(ch.writeInbound(packet(SipCorpus.rfc4475(name))));
        DatagramPacket response = ch.readOutbound();
        String text = response.content().toString(CharsetUtil.UTF_8);
        assertTrue(text.startsWith("SIP/2.0 " + statusLine + "\r\n"), text);
        assertEquals(PEER, response.recipient());
        assertTrue(text.contains("\r\nCall-ID: " + name), text);
        assertTrue(text.contains("\r\nContent-Length: 0\r\n\r\n"), text);
        assertTrue(text.matches("(?s).*\r\nTo: [^\r]*;tag=[^\r]+\r\n.*"), "To gets a tag: " + text);
        response.release();
        assertEquals(1, counters.totalErrors());
        assertFalse(ch.finish());
    }

    @Test
    void shouldDropMalformedResponsesAndCountThem() {
        EmbeddedChannel ch = channel(SipDecoderConfig.DEFAULT);
        assertFalse(ch.writeInbound(packet(SipCorpus.rfc4475("bigcode"))));
        assertNull(ch.readOutbound());
        assertEquals(1, counters.count(SipParseError.STATUS_CODE_INVALID));
        assertFalse(ch.finish());
    }

    @Test
    void shouldCountKeepAlivesAndDropGarbage() {
        EmbeddedChannel ch = channel(SipDecoderConfig.DEFAULT);
        assertFalse(ch.writeInbound(packet("\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
        // the first bytes of a TLS ClientHello sent to the UDP port
        assertFalse(ch.writeInbound(packet(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00})));
        assertFalse(ch.writeInbound(packet(new byte[0])));
        assertNull(ch.readOutbound());
        assertEquals(2, counters.count(SipParseError.KEEPALIVE));
        assertEquals(1, counters.count(SipParseError.GARBAGE));
        assertFalse(ch.finish());
    }

    @Test
    void shouldRejectEachLimitWithItsOwnReason() {
        SipDecoderConfig small = SipDecoderConfig.DEFAULT.withMaxStartLineBytes(64).withMaxHeaderBlockBytes(1024)
                .withMaxHeaderCount(8).withMaxHeaderValueBytes(128).withMaxBodyBytes(16).withMaxDatagramBytes(2048);
        String head = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n";
        assertLimit(small, "INVITE sip:" + "a".repeat(80) + "@b SIP/2.0\r\n\r\n", SipParseError.START_LINE_TOO_LONG);
        assertLimit(small, head + "X: " + "y".repeat(200) + "\r\n\r\n", SipParseError.HEADER_VALUE_TOO_LONG);
        assertLimit(small, head + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", SipParseError.TOO_MANY_HEADERS);
        assertLimit(small, head + ("Y: " + "z".repeat(100) + "\r\n").repeat(9) + "\r\n",
                SipParseError.TOO_MANY_HEADERS);
        assertLimit(small, head + "Content-Length: 20\r\n\r\n" + "b".repeat(20), SipParseError.BODY_TOO_LARGE);
        assertLimit(small, head + "X: " + "y".repeat(3000) + "\r\n\r\n", SipParseError.DATAGRAM_TOO_LARGE);
        SipDecoderConfig blockLimit = SipDecoderConfig.DEFAULT.withMaxStartLineBytes(256).withMaxHeaderBlockBytes(512);
        assertLimit(blockLimit, head + ("Y: " + "z".repeat(100) + "\r\n").repeat(5) + "\r\n",
                SipParseError.HEADER_BLOCK_TOO_LARGE);
    }

    @Test
    void shouldRejectMalformedHeaderLines() {
        String head = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n";
        assertLimit(SipDecoderConfig.DEFAULT, head + "NoColonHere\r\n\r\n", SipParseError.HEADER_COLON_MISSING);
        assertLimit(SipDecoderConfig.DEFAULT, head + "Bad Name: x\r\n\r\n", SipParseError.HEADER_NAME_INVALID);
        assertLimit(SipDecoderConfig.DEFAULT, head + ": x\r\n\r\n", SipParseError.HEADER_NAME_INVALID);
        assertLimit(SipDecoderConfig.DEFAULT, head + "Content-Length: 1\r\nl: 2\r\n\r\nab",
                SipParseError.CONTENT_LENGTH_CONFLICT);
        assertLimit(SipDecoderConfig.DEFAULT, head + "To: <sip:a@b>", SipParseError.HEADER_BLOCK_UNTERMINATED);
        assertLimit(SipDecoderConfig.DEFAULT, "OPTIONS sip:a@b SIP/2.0\r\n line\r\n\r\n",
                SipParseError.CONTINUATION_WITHOUT_HEADER);
        assertLimit(SipDecoderConfig.DEFAULT, "OPTIONS sip:a@b HTTP/1.1\r\n\r\n", SipParseError.VERSION_INVALID);
        assertLimit(SipDecoderConfig.DEFAULT, "OPT{IONS sip:a@b SIP/2.0\r\n\r\n", SipParseError.METHOD_INVALID);
    }

    private void assertLimit(SipDecoderConfig config, String message, SipParseError expected) {
        SipParseErrorCounters local = new SipParseErrorCounters();
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(config, local));
        ch.writeInbound(packet(message.getBytes(StandardCharsets.UTF_8)));
        Object out = ch.readInbound();
        if (out != null) {
            assertInstanceOf(SipMalformedMessage.class, out, "expected " + expected);
            assertEquals(expected, ((SipMalformedMessage) out).error());
            ((SipMalformedMessage) out).release();
        }
        assertEquals(1, local.count(expected), "expected " + expected);
        assertFalse(ch.finish());
    }

    @Test
    void shouldCopyASmallMessageOutOfAHugeReceiveBuffer() {
        EmbeddedChannel ch = channel(SipDecoderConfig.DEFAULT);
        byte[] invite = SipCorpus.shakenInvite();
        ByteBuf big = Unpooled.buffer(65536).writeBytes(invite);
        ch.writeInbound(new DatagramPacket(big, LOCAL, PEER));
        SipMessage m = ch.readInbound();
        assertEquals(0, big.refCnt(), "the 64 KiB receive buffer is not pinned by the message");
        assertEquals(new String(invite, StandardCharsets.UTF_8), m.toString());
        m.release();
        assertFalse(ch.finish());
    }
}
