package io.shakengate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.CharsetUtil;
import io.shakengate.codec.testing.SipCorpus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipMessageEditorTest {
    private static final String INVITE = "INVITE sip:+12155550131@ts.example.net;user=phone SIP/2.0\r\n"
            + "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
            + "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n"
            + "Max-Forwards: 7\r\n"
            + "From: \"Alice\" <sip:+12155550121@as.example.com;user=phone>;tag=f1\r\n"
            + "To: <sip:+12155550131@ts.example.net;user=phone>\r\n"
            + "P-Asserted-Identity: tel:+12155550121;verstat=TN-Validation-Passed\r\n"
            + "Call-ID: edit-1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "X-Odd-Header   :   kept   as is\r\n"
            + "Identity: old.token.sig;info=<https://old.example/x.pem>\r\n"
            + "Content-Length: 4\r\n"
            + "\r\n"
            + "body";

    private static String edit(String message, Consumer<SipMessageEditor> edits) {
        byte[] raw = message.getBytes(StandardCharsets.UTF_8);
        String[] out = new String[1];
        Rfc4475Test.withMessage(raw, true, m -> {
            SipMessageEditor editor = new SipMessageEditor().reset(m);
            edits.accept(editor);
            ByteBuf encoded = editor.encode(UnpooledByteBufAllocator.DEFAULT);
            assertEquals(editor.encodedLength(), encoded.readableBytes());
            out[0] = encoded.toString(CharsetUtil.UTF_8);
            encoded.release();
        });
        return out[0];
    }

    @Test
    void shouldPushViaAndAddIdentityLeavingEveryOtherByteAsItCame() {
        String out = edit(INVITE, e -> e.pushVia("SIP/2.0/UDP sg.example.net:5060;branch=z9hG4bKsg1")
                .addHeader("Identity", "new.token.sig;info=<https://sg.example/c.pem>;alg=ES256;ppt=shaken"));
        String expected = INVITE.replace("v: SIP/2.0/UDP a.",
                "Via: SIP/2.0/UDP sg.example.net:5060;branch=z9hG4bKsg1\r\nv: SIP/2.0/UDP a.")
                .replace("Content-Length: 4\r\n\r\n", "Content-Length: 4\r\n"
                        + "Identity: new.token.sig;info=<https://sg.example/c.pem>;alg=ES256;ppt=shaken\r\n\r\n");
        assertEquals(expected, out);
    }

    @Test
    void shouldPopOnlyTheFirstValueOfACommaSeparatedVia() {
        String out = edit(INVITE, SipMessageEditor::popVia);
        assertTrue(out.contains("\r\nv: SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP c.example"), out);
        String twice = edit(out, e -> {
            e.popVia();
        });
        assertTrue(twice.contains("\r\nVia: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\nMax-Forwards"), twice);
        assertFalse(twice.contains("b.example.com"));
    }

    @Test
    void shouldPopTheFirstRouteValuesAcrossCommasAndLines() {
        String routed = INVITE.replace("Max-Forwards", "Route: <sip:p1;lr>, <sip:p2;lr>,<sip:p3;lr>\r\n"
                + "Route: <sip:p4;lr>\r\nMax-Forwards");
        int[] popped = new int[1];
        String one = edit(routed, e -> popped[0] = e.popFirstValues(SipHeaderName.ROUTE, 1));
        assertEquals(1, popped[0]);
        assertTrue(one.contains("\r\nRoute: <sip:p2;lr>,<sip:p3;lr>\r\nRoute: <sip:p4;lr>\r\n"), one);
        String three = edit(routed, e -> popped[0] = e.popFirstValues(SipHeaderName.ROUTE, 3));
        assertEquals(3, popped[0]);
        assertTrue(three.contains("\r\nRoute: <sip:p4;lr>\r\nMax-Forwards") && !three.contains("p3"), three);
        String lines = edit(three, e -> popped[0] = e.popFirstValues(SipHeaderName.ROUTE, 2));
        assertEquals(1, popped[0], "only one left");
        assertFalse(lines.contains("Route:"), lines);
        String two = edit(routed.replace(", <sip:p2;lr>,<sip:p3;lr>", ""), e -> e.popFirstValues(SipHeaderName.ROUTE,
                2));
        assertFalse(two.contains("Route:"), "a value on each of two lines: both lines go: " + two);
    }

    @Test
    void shouldDecrementMaxForwardsAndRefuseAtZero() {
        assertTrue(edit(INVITE, e -> assertEquals(6, e.decrementMaxForwards())).contains("\r\nMax-Forwards: 6\r\n"));
        String zero = INVITE.replace("Max-Forwards: 7", "Max-Forwards: 0");
        assertEquals(zero, edit(zero, e -> assertEquals(-1, e.decrementMaxForwards())));
        String none = INVITE.replace("Max-Forwards: 7\r\n", "");
        assertTrue(edit(none, e -> assertEquals(70, e.decrementMaxForwards())).contains("\r\nMax-Forwards: 70\r\n"));
    }

    @Test
    void shouldReplaceIdentityHeaders() {
        String out = edit(INVITE, e -> {
            assertEquals(1, e.removeHeaders(SipHeaderName.IDENTITY));
            e.addHeader("Identity", "fresh");
        });
        assertFalse(out.contains("old.token"));
        assertTrue(out.contains("\r\nIdentity: fresh\r\n\r\nbody"));
    }

    @Test
    void shouldSetVerstatInTheUserPartOfASipUriAndReplaceAnUpstreamOne() {
        String out = edit(INVITE, e -> {
            SipMessage m = e.message();
            assertTrue(e.setNumberParam(m.from(), "verstat", "TN-Validation-Failed"));
            assertTrue(e.setNumberParam(m.pAssertedIdentities().get(0), "verstat", "No-TN-Validation"));
        });
        assertTrue(out.contains("From: \"Alice\" <sip:+12155550121;verstat=TN-Validation-Failed@as.example.com;"
                + "user=phone>;tag=f1\r\n"), out);
        // the upstream verstat is replaced, and the bare tel: URI gets angle brackets (RFC 3261 section 20)
        assertTrue(out.contains("P-Asserted-Identity: <tel:+12155550121;verstat=No-TN-Validation>\r\n"), out);
        Rfc4475Test.withMessage(out.getBytes(StandardCharsets.UTF_8), false, m -> {
            assertEquals("No-TN-Validation", m.pAssertedIdentities().get(0).uri().numberParam("verstat"));
            assertEquals("TN-Validation-Failed", m.from().uri().numberParam("verstat"));
            assertEquals("+12155550121", m.from().uri().telephoneNumber());
            assertEquals("f1", m.from().tag());
        });
    }

    @Test
    void shouldNotSetANumberParamOnAUriWithoutNumber() {
        String msg = INVITE.replace("From: \"Alice\" <sip:+12155550121@as.example.com;user=phone>",
                "From: <sip:as.example.com>");
        assertEquals(msg, edit(msg, e -> assertFalse(e.setNumberParam(e.message().from(), "verstat", "x"))));
    }

    @Test
    void shouldReplaceTheRequestUriAndAppendToTheTopVia() {
        String out = edit(INVITE, e -> e.replaceRequestUri("sip:+12155550131@ss.example.net")
                .appendToTopVia(";received=192.0.2.7;rport=5062"));
        assertTrue(out.startsWith("INVITE sip:+12155550131@ss.example.net SIP/2.0\r\n"
                + "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.7;rport=5062, SIP/2.0/TCP"), out);
    }

    @Test
    void shouldRefuseOverlappingEdits() {
        byte[] raw = INVITE.getBytes(StandardCharsets.UTF_8);
        Rfc4475Test.withMessage(raw, false, m -> {
            SipMessageEditor e = new SipMessageEditor().reset(m);
            int i = m.indexOf(SipHeaderName.FROM);
            e.removeHeader(i);
            e.setNumberParam(m.from(), "verstat", "x");
            ByteBuf out = Unpooled.buffer();
            assertThrows(IllegalStateException.class, () -> e.encode(out));
            out.release();
        });
    }

    @Test
    void shouldBuildStatelessResponses() {
        Rfc4475Test.withMessage(INVITE.getBytes(StandardCharsets.UTF_8), false, m -> {
            ByteBuf r = SipResponses.to(m, 302, "Moved Temporarily")
                    .header("Contact", "<" + m.requestUriString() + ">")
                    .header("Identity", "tok;info=<https://sg.example/c.pem>;alg=ES256;ppt=shaken")
                    .reason("SIP", 302, "Signed")
                    .build(UnpooledByteBufAllocator.DEFAULT);
            String text = r.toString(CharsetUtil.UTF_8);
            r.release();
            assertTrue(text.startsWith("SIP/2.0 302 Moved Temporarily\r\n"
                    + "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
                    + "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n"
                    + "From: \"Alice\" <sip:+12155550121@as.example.com;user=phone>;tag=f1\r\n"
                    + "To: <sip:+12155550131@ts.example.net;user=phone>;tag=sg"), text);
            assertTrue(text.contains("\r\nCall-ID: edit-1\r\nCSeq: 1 INVITE\r\n"
                    + "Contact: <sip:+12155550131@ts.example.net;user=phone>\r\n"
                    + "Identity: tok;info=<https://sg.example/c.pem>;alg=ES256;ppt=shaken\r\n"
                    + "Reason: SIP;cause=302;text=\"Signed\"\r\nContent-Length: 0\r\n\r\n"), text);
            // the same request gets the same tag (retransmissions of a stateless answer)
            ByteBuf againBuf = SipResponses.to(m, 302, "x").build(UnpooledByteBufAllocator.DEFAULT);
            String again = againBuf.toString(CharsetUtil.UTF_8);
            againBuf.release();
            assertEquals(tag(text), tag(again));
            for (int status : new int[] {100, 400, 403, 428, 436, 437, 438, 483, 503, 603, 608}) {
                ByteBuf b = SipResponses.to(m, status, "Reason " + status).warning(399, "sg.example.net", "why")
                        .build(UnpooledByteBufAllocator.DEFAULT);
                String s = b.toString(CharsetUtil.UTF_8);
                b.release();
                assertTrue(s.startsWith("SIP/2.0 " + status + " Reason " + status + "\r\n"));
                assertEquals(status != 100, s.contains("To: <sip:+12155550131@ts.example.net;user=phone>;tag="), s);
                assertTrue(s.contains("Warning: 399 sg.example.net \"why\"\r\n"));
            }
        });
    }

    @Test
    void shouldKeepAnExistingToTag() {
        String msg = INVITE.replace("To: <sip:+12155550131@ts.example.net;user=phone>",
                "To: <sip:+12155550131@ts.example.net;user=phone>;tag=existing");
        Rfc4475Test.withMessage(msg.getBytes(StandardCharsets.UTF_8), false, m -> {
            ByteBuf r = SipResponses.to(m, 486, "Busy Here").build(UnpooledByteBufAllocator.DEFAULT);
            String text = r.toString(CharsetUtil.UTF_8);
            r.release();
            assertTrue(text.contains("user=phone>;tag=existing\r\n"), text);
            assertFalse(text.contains("tag=sg"));
        });
        assertThrows(IllegalArgumentException.class, () -> SipResponses.forError(null, SipParseError.GARBAGE));
    }

    private static String tag(String response) {
        int i = response.indexOf(";tag=sg");
        return response.substring(i, response.indexOf('\r', i));
    }

    @Test
    void shouldParseIdentityHeadersOfTheShakenInvite() {
        Rfc4475Test.withMessage(SipCorpus.shakenInvite(), false, m -> {
            IdentityHeader id = m.identities().get(0);
            assertEquals("https://cert.example.com/sti/1234-good.pem", id.info());
            assertEquals("ES256", id.alg());
            assertEquals("shaken", id.ppt());
            assertFalse(id.isCompactForm());
            assertEquals(3, id.token().split("\\.").length);
            assertEquals(id.tokenLength(), id.token().length());
            assertEquals(1767225600L, m.date());
            NameAddress pai = m.pAssertedIdentities().get(0);
            assertEquals("+12155550121", pai.uri().telephoneNumber());
            assertEquals("phone", pai.uri().param("user"));
            assertNull(pai.uri().numberParam("verstat"));
        });
    }

    @Test
    void shouldParseQuotedAndCompactIdentityParameters() {
        String msg = INVITE.replace("Identity: old.token.sig;info=<https://old.example/x.pem>",
                "Identity: ..c2ln;info=<https://a.example/p;x=1>;alg=\"ES256\";ppt=\"div\"\r\n"
                        + "Identity: e30.e30.c2ln ; info = <https://b.example/c.pem> , e30.e30.c2lo;info=<https://c/>");
        Rfc4475Test.withMessage(msg.getBytes(StandardCharsets.UTF_8), false, m -> {
            var ids = m.identities();
            assertEquals(3, ids.size());
            assertTrue(ids.get(0).isCompactForm());
            assertEquals("https://a.example/p;x=1", ids.get(0).info());
            assertEquals("ES256", ids.get(0).alg());
            assertEquals("div", ids.get(0).ppt());
            assertEquals("https://b.example/c.pem", ids.get(1).info());
            assertNull(ids.get(1).ppt());
            assertEquals("e30.e30.c2lo", ids.get(2).token());
        });
        String bad = INVITE.replace("Identity: old.token.sig;info=<https://old.example/x.pem>",
                "Identity: ;info=<https://a.example/p>");
        Rfc4475Test.withMessage(bad.getBytes(StandardCharsets.UTF_8), false, m -> {
            SipParseException e = assertThrows(SipParseException.class, m::identities);
            assertEquals(SipParseError.IDENTITY_INVALID, e.error());
            assertEquals(438, e.error().status());
        });
    }

    @Test
    void shouldMatchHeaderNamesCaseInsensitivelyWithCompactForms() {
        assertEquals(SipHeaderName.VIA, SipHeaderName.of("v"));
        assertEquals(SipHeaderName.VIA, SipHeaderName.of("vIA"));
        assertEquals(SipHeaderName.IDENTITY, SipHeaderName.of("y"));
        assertEquals(SipHeaderName.CALL_ID, SipHeaderName.of("I"));
        assertEquals(SipHeaderName.P_ASSERTED_IDENTITY, SipHeaderName.of("p-asserted-identity"));
        assertEquals(SipHeaderName.OTHER, SipHeaderName.of("X-Unknown"));
        assertEquals(SipHeaderName.OTHER, SipHeaderName.of("z"));
        for (SipHeaderName h : SipHeaderName.values()) {
            if (h != SipHeaderName.OTHER) {
                assertEquals(h, SipHeaderName.of(h.text().toUpperCase(java.util.Locale.ROOT)));
            }
        }
        Rfc4475Test.withMessage(INVITE.getBytes(StandardCharsets.UTF_8), false, m -> {
            assertEquals("kept   as is", m.header("x-odd-header"));
            assertEquals(2, m.vias().size() - 1);
            assertEquals("b.example.com", m.vias().get(1).host());
            assertEquals("SIP/2.0/TCP b.example.com;branch=z9hG4bK2",
                    m.headerValues(SipHeaderName.VIA).get(1));
        });
    }

    @Test
    void shouldReadTelephoneNumbersWithoutBuildingUris() {
        Rfc4475Test.withMessage(INVITE.getBytes(StandardCharsets.UTF_8), false, m -> {
            assertEquals("+12155550121", m.from().telephoneNumber());
            assertEquals(m.from().uri().telephoneNumber(), m.from().telephoneNumber());
            assertEquals("+12155550131", m.to().telephoneNumber());
            assertEquals("+12155550121", m.pAssertedIdentities().get(0).telephoneNumber());
        });
        String noUser = INVITE.replace("To: <sip:+12155550131@ts.example.net;user=phone>", "To: <sip:ts.example.net>");
        Rfc4475Test.withMessage(noUser.getBytes(StandardCharsets.UTF_8), false, m -> {
            assertNull(m.to().telephoneNumber());
            assertNull(m.to().uri().telephoneNumber());
        });
    }

    @Test
    void shouldRecycleAReleasedMessageCleanly() {
        byte[] raw = INVITE.getBytes(StandardCharsets.UTF_8);
        SipMessage[] kept = new SipMessage[1];
        Rfc4475Test.withMessage(raw, true, m -> {
            kept[0] = m;
            assertEquals(1, m.refCnt());
            assertEquals("f1", m.from().tag());
        });
        assertEquals(0, kept[0].refCnt());
        assertThrows(io.netty.util.IllegalReferenceCountException.class, kept[0]::release);
        Rfc4475Test.withMessage(SipCorpus.rfc4475("lwsdisp"), true, m -> {
            assertEquals("323", m.from().tag(), "no view cached from an earlier use of a pooled message");
            assertEquals("caller", m.from().displayName());
        });
    }

    @Test
    void shouldFormatAndParseSipDates() {
        assertEquals("Thu, 01 Jan 2026 00:00:00 GMT", SipDates.format(1767225600L));
        String msg = INVITE.replace("Call-ID: edit-1\r\n", "Call-ID: edit-1\r\nDate: Fri, 30 Feb 2026 00:00:00 GMT\r\n");
        Rfc4475Test.withMessage(msg.getBytes(StandardCharsets.UTF_8), false,
                m -> assertEquals(SipParseError.DATE_INVALID, assertThrows(SipParseException.class, m::date).error()));
    }
}
