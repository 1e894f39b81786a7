package io.shakengate.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The typed views of a {@link SipMessage}'s header values, parsed from its bytes where its header index says
 * they are: Via, name-addr headers, Call-ID, CSeq, Max-Forwards, Contact, Identity and comma-separated lists.
 * The message keeps what it caches (a proxy reads Via, From, To, CSeq and P-Asserted-Identity several times)
 * and its public API; this class only parses. Errors are {@link SipParseException}s at the byte offset at fault.
 */
final class SipHeaderViews {
    private SipHeaderViews() {
    }

    /** A parser of one header value between {@code s} and {@code e} of {@code a} (offsets from {@code base}). */
    interface ViewParser<T> {
        T parse(byte[] a, int base, int s, int e);
    }

    /** A value as text (UTF-8), as written. */
    static final ViewParser<String> TEXT = (a, base, s, e) -> Ascii.utf8(a, s, e);

    static ViaHeader topVia(SipMessage m) {
        int i = m.indexOf(SipHeaderName.VIA);
        if (i < 0) {
            return null;
        }
        byte[] a = m.array();
        int s = m.valueStart(i);
        int c = SipScan.nextComma(a, s, m.valueEnd(i));
        return ViaHeader.parse(a, m.base(), s, Ascii.trimEnd(a, s, c));
    }

    static NameAddress single(SipMessage m, SipHeaderName name) {
        int i = m.indexOf(name);
        return i < 0 ? null : NameAddress.parse(m.array(), m.base(), m.valueStart(i), m.valueEnd(i));
    }

    static String callId(SipMessage m) {
        int i = m.indexOf(SipHeaderName.CALL_ID);
        if (i < 0) {
            return null;
        }
        byte[] a = m.array();
        int s = m.valueStart(i);
        int e = m.valueEnd(i);
        for (int p = s; p < e; p++) {
            if (Ascii.isWs(a[p])) {
                throw new SipParseException(SipParseError.CALL_ID_INVALID, p - m.base());
            }
        }
        if (s == e) {
            throw new SipParseException(SipParseError.CALL_ID_INVALID, s - m.base());
        }
        return Ascii.latin1(a, s, e);
    }

    static CSeqHeader cseq(SipMessage m) {
        int i = m.indexOf(SipHeaderName.CSEQ);
        return i < 0 ? null : CSeqHeader.parse(m.array(), m.base(), m.valueStart(i), m.valueEnd(i));
    }

    static int maxForwards(SipMessage m) {
        int i = m.indexOf(SipHeaderName.MAX_FORWARDS);
        if (i < 0) {
            return -1;
        }
        long v = Ascii.parseDecimal(m.array(), m.valueStart(i), m.valueEnd(i), 255);
        if (v < 0) {
            throw new SipParseException(SipParseError.MAX_FORWARDS_INVALID, m.valueStart(i) - m.base());
        }
        return (int) v;
    }

    static List<NameAddress> contacts(SipMessage m) {
        int i = m.indexOf(SipHeaderName.CONTACT);
        if (i >= 0 && m.valueEnd(i) - m.valueStart(i) == 1 && m.array()[m.valueStart(i)] == '*') {
            return Collections.emptyList();
        }
        return values(m, SipHeaderName.CONTACT, NameAddress::parse, SipParseError.NAME_ADDR_INVALID);
    }

    static IdentityHeader identity(SipMessage m, int n) {
        byte[] a = m.array();
        int seen = 0;
        for (int i = m.indexOf(SipHeaderName.IDENTITY); i >= 0; i = m.indexOf(SipHeaderName.IDENTITY, i + 1)) {
            int e = m.valueEnd(i);
            for (int p = m.valueStart(i); p < e; ) {
                int vs = Ascii.skipWs(a, p, e);
                if (vs == e || a[vs] == ',') {
                    throw new SipParseException(SipParseError.IDENTITY_INVALID, vs - m.base());
                }
                IdentityHeader id = IdentityHeader.parseFirst(a, m.base(), vs, e);
                if (seen++ == n) {
                    return id;
                }
                int c = Ascii.indexOf(a, id.end(), e, (byte) ',');
                p = c < 0 ? e : c + 1;
            }
        }
        return null;
    }

    /**
     * Every comma-separated value of every header line named {@code name} (commas inside quotes and angle
     * brackets do not split); an empty one is the error {@code onEmpty}, or, when that is null, parsed too.
     */
    static <T> List<T> values(SipMessage m, SipHeaderName name, ViewParser<T> parser, SipParseError onEmpty) {
        int i = m.indexOf(name);
        if (i < 0) {
            return Collections.emptyList();
        }
        byte[] a = m.array();
        List<T> out = new ArrayList<>(2);
        for (; i >= 0; i = m.indexOf(name, i + 1)) {
            int e = m.valueEnd(i);
            for (int p = m.valueStart(i); p <= e; ) {
                int c = SipScan.nextComma(a, p, e);
                int vs = Ascii.skipWs(a, p, c);
                int ve = Ascii.trimEnd(a, vs, c);
                if (vs == ve && onEmpty != null) {
                    throw new SipParseException(onEmpty, vs - m.base());
                }
                out.add(parser.parse(a, m.base(), vs, ve));
                p = c + 1;
            }
        }
        return out;
    }
}
