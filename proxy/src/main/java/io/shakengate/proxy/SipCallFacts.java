package io.shakengate.proxy;

import io.shakengate.codec.IdentityHeader;
import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipHeaderName;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipParseException;
import io.shakengate.codec.SipUri;
import io.shakengate.crypto.passport.TelephoneNumbers;
import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.CallFacts;
import io.shakengate.proxy.stir.VerificationFacts;

import java.util.ArrayList;
import java.util.List;

/**
 * The SIP front's translation of an INVITE into the STIR services' facts (and nothing else): the calling
 * number from the first P-Asserted-Identity with a telephone number (else From), the called number from the
 * To header or the Request-URI as the authentication settings say, the trunk from the configured header or the
 * Request-URI's {@code tgrp} (RFC 4904), Attestation-Info and Origination-Id as they are, the Identity
 * headers, the Date.
 */
final class SipCallFacts {
    private SipCallFacts() {
    }

    /** The identity the call claims: the first P-Asserted-Identity with a telephone number, else From. */
    static NameAddress caller(SipMessage m) {
        for (NameAddress a : m.pAssertedIdentities()) {
            if (a.telephoneNumber() != null) {
                return a;
            }
        }
        return m.from();
    }

    /** The facts of an INVITE to sign, arriving at {@code point}. */
    static CallFacts signing(SipMessage m, String point, AuthenticationPolicy settings) {
        String calling = TelephoneNumbers.canonicalize(caller(m).telephoneNumber());
        String called = called(m, settings);
        String diversion = diversion(m);
        if (diversion != null && m.indexOf(SipHeaderName.DIVERSION) < 0) {
            // History-Info: the call is now addressed to its Request-URI (the To keeps the number first called)
            called = number(m.requestUriString());
        }
        return new CallFacts(CallFacts.Front.SIP, m.sender() == null ? null : m.sender().getAddress(), point,
                trunk(m, settings), calling, called == null ? List.of() : List.of(called),
                m.header("Attestation-Info"), m.header("Origination-Id"), -1, m.indexOf(SipHeaderName.IDENTITY) >= 0,
                target(m), diversion, priorities(m), m.callId());
    }

    /** The Request-URI as text (an emergency URN is matched on it), or null. */
    static String target(SipMessage m) {
        return m.isRequest() ? m.requestUriString() : null;
    }

    /**
     * The canonical number the call was first addressed to, when it was diverted, else null: the last Diversion
     * value (RFC 5806 lists the most recent diversion first, so the last names the original called number);
     * without Diversion, History-Info (RFC 7044): its first entry is the Request-URI the call was first sent
     * to, and the call was retargeted when that entry's number is not the number of the Request-URI now. The
     * entries' indices and rc/mp tags are not interpreted further (one div PASSporT, first number to the
     * current one, as for Diversion).
     */
    static String diversion(SipMessage m) {
        if (m.indexOf(SipHeaderName.DIVERSION) >= 0) {
            List<String> values = m.headerValues(SipHeaderName.DIVERSION);
            return values.isEmpty() ? null : number(values.get(values.size() - 1));
        }
        if (m.indexOf(SipHeaderName.HISTORY_INFO) < 0 || !m.isRequest()) {
            return null;
        }
        List<String> entries = m.headerValues(SipHeaderName.HISTORY_INFO);
        if (entries.size() < 2) {
            return null;
        }
        String first = number(entries.get(0));
        String now = number(m.requestUriString());
        return first != null && now != null && !first.equals(now) ? first : null;
    }

    /** The canonical telephone number of a name-addr or URI value (tel:, or the user part of sip:), or null. */
    static String number(String v) {
        int lt = v.indexOf('<');
        int gt = lt < 0 ? -1 : v.indexOf('>', lt);
        String uri = lt >= 0 && gt > lt ? v.substring(lt + 1, gt) : v.split(";", 2)[0].trim();
        int q = uri.indexOf('?'); // URI headers (History-Info's Reason)
        uri = q < 0 ? uri : uri.substring(0, q);
        String user;
        if (uri.regionMatches(true, 0, "tel:", 0, 4)) {
            user = uri.substring(4);
        } else {
            int colon = uri.indexOf(':');
            int at = uri.indexOf('@');
            user = colon >= 0 && at > colon ? uri.substring(colon + 1, at) : null;
        }
        if (user == null) {
            return null;
        }
        int semi = user.indexOf(';');
        return TelephoneNumbers.canonicalize(semi < 0 ? user : user.substring(0, semi));
    }

    /** Every Resource-Priority value (RFC 4412: {@code namespace.priority}), lower-cased, in order. */
    static List<String> priorities(SipMessage m) {
        int first = m.indexOf("Resource-Priority");
        if (first < 0) {
            return List.of();
        }
        List<String> out = null;
        for (int i = first; i < m.headerCount(); i++) {
            if (m.headerNameString(i).equalsIgnoreCase("Resource-Priority")) {
                for (String v : m.headerValue(i).split(",")) {
                    String t = v.trim().toLowerCase(java.util.Locale.ROOT);
                    if (!t.isEmpty()) {
                        if (out == null) {
                            out = new ArrayList<>(2);
                        }
                        out.add(t);
                    }
                }
            }
        }
        return out == null ? List.of() : out;
    }

    /** The facts of an INVITE to verify, arriving at {@code point}. */
    static VerificationFacts verifying(SipMessage m, String point) {
        List<IdentityHeader> headers = m.identities();
        List<VerificationFacts.Identity> ids = new ArrayList<>(headers.size());
        for (IdentityHeader h : headers) {
            ids.add(new VerificationFacts.Identity(h.token(), h.info(), h.param("alg"), h.ppt()));
        }
        String orig = TelephoneNumbers.canonicalize(caller(m).telephoneNumber());
        String dest = TelephoneNumbers.canonicalize(m.to().telephoneNumber());
        return new VerificationFacts(point, ids, orig, dest == null ? List.of() : List.of(dest), m.date(), target(m),
                priorities(m), m.callId());
    }

    /** The canonical called number: from the To header or the Request-URI, as the settings say. */
    private static String called(SipMessage m, AuthenticationPolicy settings) {
        if (settings.calledFromRequestUri()) {
            try {
                String n = TelephoneNumbers.canonicalize(m.requestUri().telephoneNumber());
                if (n != null) {
                    return n;
                }
            } catch (SipParseException e) {
                // checked before: cannot happen for a request that reached here; fall back to To
            }
        }
        return TelephoneNumbers.canonicalize(m.to().telephoneNumber());
    }

    /** The trunk the call arrived on: the configured header, else the Request-URI's tgrp (RFC 4904). */
    private static String trunk(SipMessage m, AuthenticationPolicy settings) {
        if (settings.trunkHeader() != null) {
            String v = m.header(settings.trunkHeader());
            if (v != null) {
                return v.trim();
            }
        }
        try {
            SipUri ruri = m.requestUri();
            String tgrp = ruri.numberParam("tgrp");
            return tgrp != null ? tgrp : ruri.param("tgrp");
        } catch (SipParseException e) {
            return null;
        }
    }
}
