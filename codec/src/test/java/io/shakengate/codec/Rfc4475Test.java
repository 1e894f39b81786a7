package io.shakengate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.shakengate.codec.testing.SipCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The torture messages of RFC 4475 section 3.1, parsed as datagrams by the parsing core. */
class Rfc4475Test {

    static List<String> valid() {
        return SipCorpus.RFC4475_VALID;
    }

    /** Parses {@code bytes} as one datagram, runs {@code check} on the message, releases it. */
    static void withMessage(byte[] bytes, boolean pooled, Consumer<SipMessage> check) {
        // a pooled heap buffer has a non-zero array offset: the offsets must not assume 0
        ByteBuf buf = pooled ? PooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length).writeBytes(bytes)
                : Unpooled.wrappedBuffer(bytes);
        SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
        int off = buf.arrayOffset();
        int end = parser.parse(buf.array(), off, off + bytes.length, true);
        if (end < 0) {
            buf.release();
            fail("did not parse: " + parser.error() + " at " + parser.errorOffset());
        }
        int start = parser.messageStart() - off;
        SipMessage m = parser.build(buf, start, end - off - start);
        try {
            check.accept(m);
        } finally {
            assertTrue(m.release());
        }
    }

    static SipParseError parseError(byte[] bytes) {
        SipParser parser = new SipParser(SipDecoderConfig.DEFAULT);
        int end = parser.parse(bytes, 0, bytes.length, true);
        return end < 0 ? parser.error() : null;
    }

    @ParameterizedTest
    @MethodSource("valid")
    void shouldParseAndRoundTripEveryValidMessageByteExact(String name) {
        byte[] raw = SipCorpus.rfc4475(name);
        for (boolean direct : new boolean[] {false, true}) {
            withMessage(raw, direct, m -> {
                ByteBuf out = Unpooled.buffer();
                m.writeTo(out);
                byte[] written = ByteBufUtil.getBytes(out);
                out.release();
                byte[] expected = name.equals("dblreq") ? Arrays.copyOf(raw, m.length()) : raw;
                assertArrayEquals(expected, written, name + " did not round-trip");
                SipMessageEditor editor = new SipMessageEditor().reset(m);
                ByteBuf encoded = editor.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                assertArrayEquals(expected, ByteBufUtil.getBytes(encoded), "editor without edits changed bytes");
                encoded.release();
                assertNull(SipMessageChecks.check(m), name + " failed the proxy checks");
            });
        }
    }

    @Test
    void wsinvShortTortuousInvite() {
        withMessage(SipCorpus.rfc4475("wsinv"), false, m -> {
            assertEquals(SipMethod.INVITE, m.method());
            assertEquals("sip:vivekg@chair-dnrc.example.com;unknownparam", m.requestUriString());
            assertTrue(m.requestUri().hasParam("unknownparam"));
            assertEquals("1918181833n", m.to().tag());
            assertEquals("vivekg", m.to().uri().user());
            assertEquals("J Rosenberg \\\"", m.from().displayName());
            assertEquals("98asjd8", m.from().tag());
            assertEquals(68, m.maxForwards());
            assertEquals("wsinv.ndaksdj@192.0.2.1", m.callId());
            assertEquals(new CSeqHeader(9, SipMethod.INVITE, "INVITE"), m.cseq());
            List<ViaHeader> vias = m.vias();
            assertEquals(3, vias.size());
            assertVia(vias.get(0), "UDP", "192.0.2.2", -1, "390skdjuw");
            assertVia(vias.get(1), "TCP", "spindle.example.com", -1, "z9hG4bK9ikj8");
            assertVia(vias.get(2), "UDP", "192.168.255.111", -1, "z9hG4bK30239");
            assertEquals("", m.header("Subject"));
            assertEquals("newfangled value continued newfangled value",
                    m.headerValueUnfolded(m.indexOf("newfangledheader")));
            assertEquals(";;,,;;,;", m.header("UnknownHeaderWithUnusualValue"));
            assertEquals("sip:services.example.com;lr;unknownwith=value;unknown-no-value",
                    m.routes().get(0).uriString());
            assertTrue(m.routes().get(0).uri().hasParam("lr"));
            NameAddress contact = m.contacts().get(0);
            assertEquals("Quoted string \"\"", contact.displayName());
            assertEquals("newvalue", contact.param("newparam"));
            assertEquals("", contact.param("secondparam"));
            assertEquals("0.33", contact.param("q"));
            assertEquals("application/sdp", m.contentType());
            assertEquals(150, m.contentLength());
        });
    }

    @Test
    void intmethWideRangeOfValidCharacters() {
        withMessage(SipCorpus.rfc4475("intmeth"), true, m -> {
            String method = "!interesting-Method0123456789_*+`.%indeed'~";
            assertEquals(SipMethod.OTHER, m.method());
            assertEquals(method, m.methodName());
            assertEquals(method, m.cseq().methodName());
            assertEquals(139122385, m.cseq().number());
            SipUri ruri = m.requestUri();
            assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", ruri.user());
            assertEquals("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", ruri.password());
            assertEquals("example.com", ruri.host());
            assertEquals("z9hG4bK-.!%66*_+`'~", m.topVia().branch());
            assertEquals("BEL:\u0007 NUL:\u0000 DEL:\u007f", m.to().displayName());
            assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.to().uri().user());
            assertEquals("token1~` token2'+_ token3*%!.-", m.from().displayName());
            assertEquals("_token~1'+`*%!-.", m.from().tag());
            assertEquals("работающий", m.from().param("fromParam''~+*_!.-%"));
            assertEquals("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.callId());
            assertEquals(255, m.maxForwards());
            assertEquals("\ufeff大停電", m.header("extensionHeader-!.%*+_`'~"));
        });
    }

    @Test
    void esc01ValidEscapesAreKeptAsReceived() {
        withMessage(SipCorpus.rfc4475("esc01"), false, m -> {
            assertEquals("sips%3Auser%40example.com", m.requestUri().user());
            assertEquals("example.net", m.requestUri().host());
            assertEquals("%75se%72", m.to().uri().user());
            assertEquals("I%20have%20spaces", m.from().uri().user());
            assertEquals("esc01.239409asdfakjkn23onasd0-3234", m.callId());
            assertEquals("application/sdp", m.contentType());
            SipUri contact = m.contacts().get(0).uri();
            assertEquals("cal%6Cer", contact.user());
            assertTrue(contact.hasParam("%6C%72"));
            assertEquals("v%61lue%25%34%31", contact.param("n%61me"));
        });
    }

    @Test
    void escnullEscapedNullsStayEscaped() {
        withMessage(SipCorpus.rfc4475("escnull"), false, m -> {
            assertEquals("null-%00-null", m.to().uri().user());
            List<NameAddress> contacts = m.contacts();
            assertEquals("%00", contacts.get(0).uri().user());
            assertEquals("%00%00", contacts.get(1).uri().user());
            assertEquals(0, m.contentLength());
        });
    }

    @Test
    void esc02PercentInMethodIsAnExtensionMethodAndEscapedHeaderNameIsUnknown() {
        withMessage(SipCorpus.rfc4475("esc02"), false, m -> {
            assertEquals(SipMethod.OTHER, m.method());
            assertEquals("RE%47IST%45R", m.methodName());
            assertEquals("%Z%45", m.to().displayName());
            assertEquals("z9hG4bK209%fzsnel234", m.topVia().branch());
            assertEquals(2, m.contacts().size());
            assertEquals("<sip:alias2@host2.example.com>", m.header("C%6Fntact"));
        });
    }

    @Test
    void lwsdispNoSpaceBeforeAngleBracket() {
        withMessage(SipCorpus.rfc4475("lwsdisp"), false, m -> {
            assertEquals("caller", m.from().displayName());
            assertEquals("323", m.from().tag());
        });
    }

    @Test
    void longreqLongValues() {
        withMessage(SipCorpus.rfc4475("longreq"), false, m -> {
            assertEquals(6000, m.to().uri().port());
            assertTrue(m.to().displayName().startsWith("I have a user name of extreme"));
            assertEquals(34, m.vias().size());
            assertEquals("sip33.example.com", m.topVia().host());
            assertTrue(m.vias().get(33).branch().endsWith("longbranchvalue"));
            assertEquals("192.0.2.5", m.vias().get(33).received());
            assertTrue(m.from().tag().startsWith("1298298298"));
            assertNotNull(m.header("Unknown-" + "Long".repeat(20) + "-Name"));
            assertEquals(150, m.contentLength());
        });
    }

    @Test
    void dblreqBytesAfterTheBodyOfADatagramAreIgnored() {
        byte[] raw = SipCorpus.rfc4475("dblreq");
        withMessage(raw, false, m -> {
            assertEquals(SipMethod.REGISTER, m.method());
            assertEquals(0, m.contentLength());
            assertFalse(m.toString().contains("INVITE"));
            assertTrue(m.length() < raw.length);
        });
    }

    @Test
    void semiuriSemicolonInUserPart() {
        withMessage(SipCorpus.rfc4475("semiuri"), false, m -> {
            SipUri ruri = m.requestUri();
            assertEquals("user;par=u%40example.net", ruri.user());
            assertEquals("example.com", ruri.host());
            assertEquals("user", ruri.telephoneNumber());
            assertEquals("u%40example.net", ruri.numberParam("par"));
            assertFalse(ruri.hasParam("par"));
            assertEquals(List.of("application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed",
                    "message/sip", "message/sipfrag"), m.headerValues(SipHeaderName.ACCEPT));
        });
    }

    @Test
    void transportsVariedAndUnknown() {
        withMessage(SipCorpus.rfc4475("transports"), false, m -> {
            assertEquals(List.of("UDP", "SCTP", "TLS", "UNKNOWN", "TCP"),
                    m.vias().stream().map(ViaHeader::transport).toList());
        });
    }

    @Test
    void mpart01BinaryBodyUntouched() {
        byte[] raw = SipCorpus.rfc4475("mpart01");
        withMessage(raw, false, m -> {
            assertEquals(553, m.contentLength());
            assertArrayEquals(Arrays.copyOfRange(raw, raw.length - 553, raw.length), ByteBufUtil.getBytes(m.content()));
            assertEquals(Instant.parse("2005-10-15T04:44:56Z").getEpochSecond(), m.date());
            IdentityHeader identity = m.identities().get(0);
            assertTrue(identity.token().startsWith("r5mwreLuyDRYBi/0"));
            assertNull(identity.info());
            assertEquals(-1, m.topVia().rport() > 0 ? 1 : -1);
            assertEquals(0, m.topVia().rport());
            assertEquals(5070, m.topVia().port());
        });
    }

    @Test
    void unreasonUtf8ReasonPhrase() {
        withMessage(SipCorpus.rfc4475("unreason"), false, m -> {
            assertFalse(m.isRequest());
            assertEquals(200, m.statusCode());
            assertEquals("= 2**3 * 5**2 но сто девяносто девять - простое", m.reasonPhrase());
            assertEquals(154, m.contentLength());
        });
    }

    @Test
    void noreasonEmptyReasonPhrase() {
        withMessage(SipCorpus.rfc4475("noreason"), false, m -> {
            assertEquals(100, m.statusCode());
            assertEquals("", m.reasonPhrase());
            assertTrue(m.toString().startsWith("SIP/2.0 100 \r\n"));
        });
    }

    // ------------------------------------------------------------------ 3.1.2 invalid messages

    @Test
    void framingErrorsOfInvalidMessages() {
        assertEquals(SipParseError.CONTENT_LENGTH_EXCEEDS_DATAGRAM, parseError(SipCorpus.rfc4475("clerr")));
        assertEquals(SipParseError.CONTENT_LENGTH_INVALID, parseError(SipCorpus.rfc4475("ncl")));
        assertEquals(SipParseError.REQUEST_URI_INVALID, parseError(SipCorpus.rfc4475("ltgtruri")));
        assertEquals(SipParseError.START_LINE_MALFORMED, parseError(SipCorpus.rfc4475("lwsruri")));
        assertEquals(SipParseError.START_LINE_MALFORMED, parseError(SipCorpus.rfc4475("lwsstart")));
        assertEquals(SipParseError.START_LINE_MALFORMED, parseError(SipCorpus.rfc4475("trws")));
        assertEquals(SipParseError.VERSION_NOT_SUPPORTED, parseError(SipCorpus.rfc4475("badvers")));
        assertEquals(SipParseError.STATUS_CODE_INVALID, parseError(SipCorpus.rfc4475("bigcode")));
    }

    @Test
    void checkErrorsOfInvalidMessagesThatFrame() {
        assertCheck("badinv01", SipParseError.VIA_INVALID);
        assertCheck("scalar02", SipParseError.CSEQ_INVALID);
        assertCheck("scalarlg", SipParseError.CSEQ_INVALID);
        assertCheck("quotbal", SipParseError.NAME_ADDR_INVALID);
        assertCheck("escruri", SipParseError.REQUEST_URI_HAS_HEADERS);
        assertCheck("regbadct", SipParseError.NAME_ADDR_INVALID);
        assertCheck("badaspec", SipParseError.NAME_ADDR_INVALID);
        assertCheck("baddn", SipParseError.NAME_ADDR_INVALID);
        assertCheck("mismatch01", SipParseError.CSEQ_METHOD_MISMATCH);
        assertCheck("mismatch02", SipParseError.CSEQ_METHOD_MISMATCH);
    }

    @Test
    void scalar02MaxForwardsAbove255IsInvalid() {
        withMessage(SipCorpus.rfc4475("scalar02"), false, m -> {
            SipParseException e = assertThrows(SipParseException.class, m::maxForwards);
            assertEquals(SipParseError.MAX_FORWARDS_INVALID, e.error());
        });
    }

    @Test
    void baddateNonGmtDateIsRejectedWhenRead() {
        withMessage(SipCorpus.rfc4475("baddate"), false, m -> {
            assertNull(SipMessageChecks.check(m), "Date is not needed to proxy the request");
            SipParseException e = assertThrows(SipParseException.class, m::date);
            assertEquals(SipParseError.DATE_INVALID, e.error());
        });
    }

    @Test
    void everyInvalidMessageIsCovered() {
        for (String name : SipCorpus.RFC4475_INVALID) {
            byte[] raw = SipCorpus.rfc4475(name);
            SipParseError framing = parseError(raw);
            if (framing == null) {
                withMessage(raw, false, m -> {
                    boolean dateOnly = name.equals("baddate");
                    assertTrue(dateOnly || SipMessageChecks.check(m) != null, name + " was accepted");
                });
            }
        }
    }

    private static void assertCheck(String name, SipParseError expected) {
        withMessage(SipCorpus.rfc4475(name), false,
                m -> assertEquals(expected, SipMessageChecks.check(m), name));
    }

    private static void assertVia(ViaHeader via, String transport, String host, int port, String branch) {
        assertEquals(transport, via.transport());
        assertEquals(host, via.host());
        assertEquals(port, via.port());
        assertEquals(branch, via.branch());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
