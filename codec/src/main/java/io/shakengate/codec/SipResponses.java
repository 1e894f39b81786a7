package io.shakengate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.CharsetUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a response to a request without keeping any state (RFC 3261 section 8.2.6 and 16.11): the Via
 * lines, From, To, Call-ID and CSeq are copied from the request; To gets a tag when it has none (except for
 * 100); Content-Length is 0. A stateless element must give a retransmitted request the same To tag, so the
 * default tag is derived from Call-ID, From tag and the top Via branch.
 *
 * <pre>
 *   ByteBuf redirect = SipResponses.to(invite, 302, "Moved Temporarily")
 *       .header("Contact", "&lt;" + invite.requestUriString() + "&gt;")
 *       .header("Identity", identity)
 *       .build(alloc);
 * </pre>
 *
 * One builder per response; not thread-safe.
 */
public final class SipResponses {
    private final SipMessage request;
    private final int status;
    private final String reasonPhrase;
    private final List<String> extra = new ArrayList<>(4);
    private String toTag;

    private SipResponses(SipMessage request, int status, String reasonPhrase) {
        if (status < 100 || status > 699) {
            throw new IllegalArgumentException("status must be 100..699: " + status);
        }
        for (int i = 0; i < reasonPhrase.length(); i++) {
            char c = reasonPhrase.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException("reason phrase must be one line");
            }
        }
        this.request = request;
        this.status = status;
        this.reasonPhrase = reasonPhrase;
    }

    /** A response with {@code status} and {@code reasonPhrase} to {@code request}. */
    public static SipResponses to(SipMessage request, int status, String reasonPhrase) {
        return new SipResponses(request, status, reasonPhrase);
    }

    /** The response a malformed request gets for {@code error} (its status and reason phrase). */
    public static SipResponses forError(SipMessage request, SipParseError error) {
        if (error.status() == 0) {
            throw new IllegalArgumentException(error + " is not answered");
        }
        return new SipResponses(request, error.status(), error.reasonPhrase());
    }

    /** True if {@code request} has what a response copies: Via, From, To, Call-ID and CSeq. */
    public static boolean canAnswer(SipMessage request) {
        return request.isRequest() && request.indexOf(SipHeaderName.VIA) >= 0
                && request.indexOf(SipHeaderName.FROM) >= 0 && request.indexOf(SipHeaderName.TO) >= 0
                && request.indexOf(SipHeaderName.CALL_ID) >= 0 && request.indexOf(SipHeaderName.CSEQ) >= 0;
    }

    /** Uses {@code tag} as the To tag when the request's To has none. */
    public SipResponses toTag(String tag) {
        this.toTag = tag;
        return this;
    }

    /** Adds the header line {@code name: value} (after the copied headers). */
    public SipResponses header(String name, CharSequence value) {
        String v = value.toString();
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value must be one line: " + name);
        }
        extra.add(name + ": " + v);
        return this;
    }

    /** Adds a Reason header, e.g. {@code reason("SIP", 438, "Invalid Identity Header")} (RFC 3326, 9410). */
    public SipResponses reason(String protocol, int cause, String text) {
        return header("Reason", protocol + ";cause=" + cause + ";text=\"" + text.replace("\"", "'") + "\"");
    }

    /** Adds a Warning header {@code code agent "text"} (RFC 3261 section 20.43). */
    public SipResponses warning(int code, String agent, String text) {
        return header("Warning", code + " " + agent + " \"" + text.replace("\"", "'") + "\"");
    }

    /** Writes the response into a new buffer from {@code alloc}. */
    public ByteBuf build(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(256 + request.length() / 2);
        boolean ok = false;
        try {
            write(out);
            ok = true;
            return out;
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    /** Writes the response to {@code out}. */
    public void write(ByteBuf out) {
        out.writeCharSequence("SIP/2.0 ", CharsetUtil.US_ASCII);
        out.writeCharSequence(Integer.toString(status), CharsetUtil.US_ASCII);
        out.writeByte(' ');
        ByteBufUtil.writeUtf8(out, reasonPhrase);
        crlf(out);
        byte[] buf = request.array();
        for (int i = 0; i < request.headerCount(); i++) {
            SipHeaderName name = request.headerName(i);
            if (name == SipHeaderName.VIA || name == SipHeaderName.FROM || name == SipHeaderName.TO
                    || name == SipHeaderName.CALL_ID || name == SipHeaderName.CSEQ) {
                out.writeCharSequence(name.text(), CharsetUtil.US_ASCII);
                out.writeByte(':');
                out.writeByte(' ');
                out.writeBytes(buf, request.valueStart(i), request.valueEnd(i) - request.valueStart(i));
                if (name == SipHeaderName.TO && status > 100 && !hasTag(i)) {
                    out.writeCharSequence(";tag=", CharsetUtil.US_ASCII);
                    out.writeCharSequence(toTag != null ? toTag : defaultTag(), CharsetUtil.US_ASCII);
                }
                crlf(out);
            }
        }
        for (String line : extra) {
            ByteBufUtil.writeUtf8(out, line);
            crlf(out);
        }
        out.writeCharSequence("Content-Length: 0\r\n\r\n", CharsetUtil.US_ASCII);
    }

    private boolean hasTag(int toIndex) {
        byte[] buf = request.array();
        int s = request.valueStart(toIndex);
        int e = request.valueEnd(toIndex);
        int gt = SipScan.indexOutsideQuotes(buf, s, e, (byte) '>');
        int params = gt >= 0 ? gt + 1 : Math.max(s, Ascii.indexOf(buf, s, e, (byte) ';'));
        if (params < s || params > e) {
            return false;
        }
        return SipScan.findParam(buf, params, e, "tag") >= 0;
    }

    /** A tag that is the same for every retransmission of the request (hash of Call-ID, From tag, branch). */
    private String defaultTag() {
        byte[] buf = request.array();
        long h = 0xcbf29ce484222325L;
        for (SipHeaderName name : new SipHeaderName[] {SipHeaderName.CALL_ID, SipHeaderName.FROM,
            SipHeaderName.VIA, SipHeaderName.CSEQ}) {
            int i = request.indexOf(name);
            if (i >= 0) {
                for (int p = request.valueStart(i); p < request.valueEnd(i); p++) {
                    h = (h ^ (buf[p] & 0xff)) * 0x100000001b3L;
                }
            }
        }
        return "sg" + Long.toHexString(h);
    }

    private static void crlf(ByteBuf out) {
        out.writeShort(0x0d0a);
    }
}
