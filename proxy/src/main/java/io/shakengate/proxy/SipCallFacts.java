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
        return new CallFacts(CallFacts.Front.SIP, m.sender() == null ? null : m.sender().getAddress(), point,
                trunk(m, settings), calling, called == null ? List.of() : List.of(called),
                m.header("Attestation-Info"), m.header("Origination-Id"), -1, m.indexOf(SipHeaderName.IDENTITY) >= 0);
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
        return new VerificationFacts(point, ids, orig, dest == null ? List.of() : List.of(dest), m.date());
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
