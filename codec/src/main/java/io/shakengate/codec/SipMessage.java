package io.shakengate.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.Recycler;
import io.netty.util.ReferenceCounted;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One SIP request or response over one retained {@link ByteBuf}: the decoders copy the bytes it arrived in,
 * once, into a pooled heap buffer, whose array the parser and the typed views read directly (array reads cost a
 * fraction of ByteBuf accessor calls, and a small message no longer pins a 64 KiB receive buffer). The start
 * line and every header field stay as raw bytes, in order; an index of offsets says where each is, and typed values are
 * parsed only when asked for. Unknown headers and unusual formatting survive byte-exact because nothing is
 * re-serialized: {@link SipMessageEditor} writes untouched bytes as they came.
 *
 * <h2>Layout</h2>
 * <pre>
 *   base                                                  base + length
 *   | start line CRLF | header lines ... | CRLF | body |
 *                                         ^headersEnd ^bodyStart
 *   headers[3*i]     = offset of line i (name's first byte)
 *   headers[3*i + 1] = SipHeaderName ordinal &lt;&lt; 24 | offset of the value's first byte
 *   headers[3*i + 2] = offset just after the value (trailing whitespace trimmed; continuation lines included)
 * </pre>
 * All offsets are from {@code base}; the next line's offset (or {@code headersEnd}) ends a line.
 *
 * <h2>Threading and ownership</h2>
 * Not thread-safe: a message is used by one thread at a time (its event loop). It is reference counted:
 * whoever receives it from a decoder releases it, as for any Netty message. Typed views stay valid while the
 * message is.
 */
public final class SipMessage implements ReferenceCounted {
    private static final int ID_SHIFT = 24;
    private static final int OFFSET_MASK = 0xffffff;

    private ByteBuf buffer;
    private int bufferBase;
    private byte[] a;
    private int base;
    private int length;
    private int[] headers = new int[3 * 24];
    private int count;
    private int statusCode;
    private SipMethod method;
    private boolean startLineValid;
    private int t0s;
    private int t0e;
    private int t1s;
    private int t1e;
    private int t2s;
    private int t2e;
    private int headersEnd;
    private int bodyStart;
    private int bodyLength;

    private InetSocketAddress sender;
    private InetSocketAddress recipient;

    private ViaHeader topVia;
    /** Parsed on first use and kept: a proxy reads them several times per message. */
    private List<ViaHeader> vias;
    private List<NameAddress> pAssertedIdentities;
    private NameAddress from;
    private NameAddress to;
    private CSeqHeader cseq;

    private static final Recycler<SipMessage> RECYCLER = new Recycler<>() {
        @Override
        protected SipMessage newObject(Handle<SipMessage> handle) {
            return new SipMessage(handle);
        }
    };

    private final Recycler.Handle<SipMessage> handle;

    private SipMessage(Recycler.Handle<SipMessage> handle) {
        this.handle = handle;
    }

    /**
     * A message from the pool (Netty's Recycler, like pooled buffers): decoding allocates no message object
     * and no index array in the steady state. It goes back to the pool when its buffer's last reference is
     * released, so, as with a ByteBuf, a message must not be used after its release.
     */
    static SipMessage newInstance(ByteBuf buffer, int bufferBase, int length, int[] scratch, int count,
                                  int statusCode, SipMethod method, boolean startLineValid, int t0s, int t0e,
                                  int t1s, int t1e, int t2s, int t2e, int headersEnd, int bodyStart,
                                  int bodyLength) {
        if (!buffer.hasArray()) {
            throw new IllegalArgumentException("a SipMessage needs a buffer with a backing array");
        }
        SipMessage m = RECYCLER.get();
        m.buffer = buffer;
        m.bufferBase = bufferBase;
        m.a = buffer.array();
        m.base = buffer.arrayOffset() + bufferBase;
        m.length = length;
        if (m.headers.length < 3 * count) {
            m.headers = new int[Math.max(3 * count, 2 * m.headers.length)];
        }
        System.arraycopy(scratch, 0, m.headers, 0, 3 * count);
        m.count = count;
        m.statusCode = statusCode;
        m.method = method;
        m.startLineValid = startLineValid;
        m.t0s = t0s;
        m.t0e = t0e;
        m.t1s = t1s;
        m.t1e = t1e;
        m.t2s = t2s;
        m.t2e = t2e;
        m.headersEnd = headersEnd;
        m.bodyStart = bodyStart;
        m.bodyLength = bodyLength;
        return m;
    }

    private void recycle() {
        buffer = null;
        a = null;
        sender = null;
        recipient = null;
        topVia = null;
        vias = null;
        pAssertedIdentities = null;
        from = null;
        to = null;
        cseq = null;
        handle.recycle(this);
    }

    // ---------------------------------------------------------------- start line

    /** True for a request, false for a response. */
    public boolean isRequest() {
        return statusCode == 0;
    }

    /**
     * False for a message whose start line failed to parse (only in {@link SipParser#buildPartial}, handed
     * to whoever answers a malformed request).
     */
    public boolean hasValidStartLine() {
        return startLineValid;
    }

    /** The request method ({@link SipMethod#OTHER} for extension methods and responses). */
    public SipMethod method() {
        return method;
    }

    /** The request method as written, or null for a response. */
    public String methodName() {
        return isRequest() ? (method != SipMethod.OTHER ? method.name() : Ascii.latin1(a, base + t0s, base + t0e))
                : null;
    }

    /** The Request-URI as written, or null for a response. */
    public String requestUriString() {
        return isRequest() ? Ascii.latin1(a, base + t1s, base + t1e) : null;
    }

    /** The Request-URI, parsed; throws {@link SipParseException} (URI_INVALID). */
    public SipUri requestUri() {
        if (!isRequest()) {
            throw new IllegalStateException("a response has no Request-URI");
        }
        return SipUri.parse(a, base, base + t1s, base + t1e);
    }

    /** The status code of a response, 0 for a request. */
    public int statusCode() {
        return statusCode;
    }

    /** The reason phrase of a response (UTF-8), or null for a request. */
    public String reasonPhrase() {
        return isRequest() ? null : Ascii.utf8(a, base + t2s, base + t2e);
    }

    /** The start line as written, without its line end. */
    public String startLine() {
        int lf = Ascii.indexOf(a, base, base + length, Ascii.LF);
        int e = lf < 0 ? base + length : lf;
        return Ascii.utf8(a, base, e > base && a[e - 1] == Ascii.CR ? e - 1 : e);
    }

    // ---------------------------------------------------------------- raw header access

    /** Number of header field lines. */
    public int headerCount() {
        return count;
    }

    /** The known name of header line {@code i}, or {@link SipHeaderName#OTHER}. */
    public SipHeaderName headerName(int i) {
        return SipHeaderName.ofOrdinal(headers[3 * i + 1] >>> ID_SHIFT);
    }

    /** The name of header line {@code i} as written (compact forms stay compact). */
    public String headerNameString(int i) {
        int s = base + headers[3 * i];
        int e = s;
        while (Ascii.isToken(a[e])) {
            e++;
        }
        return Ascii.latin1(a, s, e);
    }

    /** The value of header line {@code i} as written (UTF-8), continuation lines included, trimmed. */
    public String headerValue(int i) {
        return Ascii.utf8(a, valueStart(i), valueEnd(i));
    }

    /** The value of header line {@code i} with each line fold (CRLF and whitespace) replaced by one space. */
    public String headerValueUnfolded(int i) {
        String raw = headerValue(i);
        return raw.indexOf('\n') < 0 ? raw : raw.replaceAll("[ \t]*\r?\n[ \t]+", " ");
    }

    /** Index of the first header line named {@code name}, or -1. */
    public int indexOf(SipHeaderName name) {
        return indexOf(name, 0);
    }

    /** Index of the first header line named {@code name} at or after {@code from}, or -1. */
    public int indexOf(SipHeaderName name, int from) {
        int ord = name.ordinal();
        for (int i = from; i < count; i++) {
            if (headers[3 * i + 1] >>> ID_SHIFT == ord) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Index of the first header line named {@code name} (any case; known headers also by their compact
     * form), or -1.
     */
    public int indexOf(String name) {
        SipHeaderName known = SipHeaderName.of(name);
        if (known != SipHeaderName.OTHER) {
            return indexOf(known);
        }
        for (int i = 0; i < count; i++) {
            if (headers[3 * i + 1] >>> ID_SHIFT == 0) {
                int s = base + headers[3 * i];
                if (Ascii.equalsIgnoreCase(a, s, s + name.length(), name)
                        && !Ascii.isToken(a[s + name.length()])) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The first value of the header named {@code name} as written, or null. */
    public String header(String name) {
        int i = indexOf(name);
        return i < 0 ? null : headerValue(i);
    }

    /**
     * Every value of the header {@code name}: across all its lines, each comma-separated value on its own
     * (commas inside quotes and angle brackets do not split).
     */
    public List<String> headerValues(SipHeaderName name) {
        return SipHeaderViews.values(this, name, SipHeaderViews.TEXT, null);
    }

    int valueStart(int i) {
        return base + (headers[3 * i + 1] & OFFSET_MASK);
    }

    int valueEnd(int i) {
        return base + headers[3 * i + 2];
    }

    /** Absolute index of header line {@code i}'s first byte. */
    int lineStart(int i) {
        return base + headers[3 * i];
    }

    /** Absolute index just after header line {@code i} (its CRLF included). */
    int lineEnd(int i) {
        return base + (i + 1 < count ? headers[3 * (i + 1)] : headersEnd);
    }

    int absHeadersEnd() {
        return base + headersEnd;
    }

    int absRequestUriStart() {
        return base + t1s;
    }

    int absRequestUriEnd() {
        return base + t1e;
    }

    int base() {
        return base;
    }

    byte[] array() {
        return a;
    }

    // ---------------------------------------------------------------- typed views (parsed by SipHeaderViews)

    /** The topmost Via value, or null when there is no Via; throws VIA_INVALID. */
    public ViaHeader topVia() {
        if (topVia == null) {
            topVia = SipHeaderViews.topVia(this);
        }
        return topVia;
    }

    /** Every Via value, top first; throws VIA_INVALID. */
    public List<ViaHeader> vias() {
        if (vias == null) {
            vias = Collections.unmodifiableList(SipHeaderViews.values(this, SipHeaderName.VIA, ViaHeader::parse,
                    SipParseError.VIA_INVALID));
        }
        return vias;
    }

    /** From, or null when absent; throws NAME_ADDR_INVALID. */
    public NameAddress from() {
        if (from == null) {
            from = SipHeaderViews.single(this, SipHeaderName.FROM);
        }
        return from;
    }

    /** To, or null when absent; throws NAME_ADDR_INVALID. */
    public NameAddress to() {
        if (to == null) {
            to = SipHeaderViews.single(this, SipHeaderName.TO);
        }
        return to;
    }

    /** Call-ID, or null when absent; throws CALL_ID_INVALID when empty or containing whitespace. */
    public String callId() {
        return SipHeaderViews.callId(this);
    }

    /** CSeq, or null when absent; throws CSEQ_INVALID. */
    public CSeqHeader cseq() {
        if (cseq == null) {
            cseq = SipHeaderViews.cseq(this);
        }
        return cseq;
    }

    /** Max-Forwards (0..255), or -1 when absent; throws MAX_FORWARDS_INVALID. */
    public int maxForwards() {
        return SipHeaderViews.maxForwards(this);
    }

    /** Every Contact value; throws NAME_ADDR_INVALID. {@code Contact: *} yields an empty list. */
    public List<NameAddress> contacts() {
        return SipHeaderViews.contacts(this);
    }

    /** Every Route value, in order; throws NAME_ADDR_INVALID. */
    public List<NameAddress> routes() {
        return SipHeaderViews.values(this, SipHeaderName.ROUTE, NameAddress::parse, SipParseError.NAME_ADDR_INVALID);
    }

    /** Every Record-Route value, in order; throws NAME_ADDR_INVALID. */
    public List<NameAddress> recordRoutes() {
        return SipHeaderViews.values(this, SipHeaderName.RECORD_ROUTE, NameAddress::parse,
                SipParseError.NAME_ADDR_INVALID);
    }

    /** Every P-Asserted-Identity value (RFC 3325 allows a sip/sips and a tel one); throws NAME_ADDR_INVALID. */
    public List<NameAddress> pAssertedIdentities() {
        if (pAssertedIdentities == null) {
            pAssertedIdentities = Collections.unmodifiableList(SipHeaderViews.values(this,
                    SipHeaderName.P_ASSERTED_IDENTITY, NameAddress::parse, SipParseError.NAME_ADDR_INVALID));
        }
        return pAssertedIdentities;
    }

    /**
     * The {@code n}-th Identity value (counting comma-separated values too), or null; throws IDENTITY_INVALID.
     * No list is built: the verifier's usual call is {@code identity(0)}.
     */
    public IdentityHeader identity(int n) {
        return SipHeaderViews.identity(this, n);
    }

    /** Every Identity value, in order; throws IDENTITY_INVALID. */
    public List<IdentityHeader> identities() {
        List<IdentityHeader> out = new ArrayList<>(2);
        for (IdentityHeader id; (id = identity(out.size())) != null; ) {
            out.add(id);
        }
        return out;
    }

    /** Every Reason value; throws REASON_INVALID. */
    public List<ReasonHeader> reasons() {
        return SipHeaderViews.values(this, SipHeaderName.REASON, ReasonHeader::parse, SipParseError.REASON_INVALID);
    }

    /** The Date header as epoch seconds, or -1 when absent; throws DATE_INVALID. */
    public long date() {
        int i = indexOf(SipHeaderName.DATE);
        return i < 0 ? -1 : SipDates.parse(a, base, valueStart(i), valueEnd(i));
    }

    /** Content-Type as written, or null. */
    public String contentType() {
        int i = indexOf(SipHeaderName.CONTENT_TYPE);
        return i < 0 ? null : Ascii.latin1(a, valueStart(i), valueEnd(i));
    }

    /** The value of the Content-Length header, or -1 when absent (the body length is {@link #contentLength()}). */
    public int contentLengthHeader() {
        int i = indexOf(SipHeaderName.CONTENT_LENGTH);
        return i < 0 ? -1 : (int) Ascii.parseDecimal(a, valueStart(i), valueEnd(i), Integer.MAX_VALUE);
    }

    // ---------------------------------------------------------------- body and bytes

    /** The body's length in bytes. */
    public int contentLength() {
        return bodyLength;
    }

    /** The body as a slice of this message's buffer (not retained; valid while the message is). */
    public ByteBuf content() {
        return buffer.slice(bufferBase + bodyStart, bodyLength);
    }

    /** The message's length in bytes (start line to the end of the body). */
    public int length() {
        return length;
    }

    /** The message's bytes as a slice (not retained). */
    public ByteBuf bytes() {
        return buffer.slice(bufferBase, length);
    }

    /** Writes the message's bytes, unchanged, to {@code out}. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(a, base, length);
    }

    /** The datagram's or connection's remote address, when the decoder knew it. */
    public InetSocketAddress sender() {
        return sender;
    }

    /** The local address it arrived on, when the decoder knew it. */
    public InetSocketAddress recipient() {
        return recipient;
    }

    /** Sets the transport addresses; called by the decoder before the message is passed on. */
    public SipMessage addresses(InetSocketAddress sender, InetSocketAddress recipient) {
        this.sender = sender;
        this.recipient = recipient;
        return this;
    }

    @Override
    public String toString() {
        return Ascii.utf8(a, base, base + length);
    }

    // ---------------------------------------------------------------- ReferenceCounted

    @Override
    public int refCnt() {
        ByteBuf b = buffer;
        return b == null ? 0 : b.refCnt();
    }

    private ByteBuf live() {
        ByteBuf b = buffer;
        if (b == null) {
            throw new io.netty.util.IllegalReferenceCountException(0);
        }
        return b;
    }

    @Override
    public SipMessage retain() {
        return retain(1);
    }

    @Override
    public SipMessage retain(int increment) {
        live().retain(increment);
        return this;
    }

    @Override
    public SipMessage touch() {
        return touch(null);
    }

    @Override
    public SipMessage touch(Object hint) {
        live().touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return release(1);
    }

    @Override
    public boolean release(int decrement) {
        if (live().release(decrement)) {
            recycle();
            return true;
        }
        return false;
    }
}
