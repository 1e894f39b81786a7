package io.shakengate.proxy;

import io.shakengate.codec.NameAddress;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipMessageEditor;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Family;
import io.shakengate.proxy.stir.Verification;
import io.shakengate.proxy.stir.VerificationPolicy;

import java.util.Locale;

/**
 * The verification's marks on an INVITE a verify point forwards, as the service decided them: verstat (and the
 * RFC 9410 Reason where the policy says so), the verified Rich Call Data (RFC 9796 Call-Info for the icon and
 * jCard, with the call reason as {@code call-reason}; the name as the display name of P-Asserted-Identity, else
 * From), Resource-Priority removed when its rph PASSporTs failed (ATIS-1000078), and the result headers.
 * Upstream copies of what is marked here (result headers, Call-Info with purpose icon or jcard) are removed
 * first: nothing upstream can claim them. Every Identity header is passed on as it arrived.
 */
final class SipMarks {
    private SipMarks() {
    }

    /** Marks {@code m} in {@code editor} with {@code v} (null: a request not verified, only cleaned). */
    static void mark(SipMessageEditor editor, SipMessage m, Verification v, VerificationPolicy.ResultHeaders names,
                     Family.Presentation presentRcd, ProxyCounters counters) {
        boolean presentsRcd = v != null && v.rcd() != null && v.action() != VerificationPolicy.Action.FORWARD_UNCHANGED
                && presentRcd != Family.Presentation.NONE;
        clean(editor, m, names, presentsRcd && presentRcd.callInfo());
        if (v == null) {
            return;
        }
        if (v.action() != VerificationPolicy.Action.FORWARD_UNCHANGED) {
            if (v.action() == VerificationPolicy.Action.FORWARD_WITH_REASON && v.reason() != null) {
                editor.addHeader("Reason", v.reason());
            }
            NameAddress caller = SipCallFacts.caller(m);
            editor.setNumberParam(caller, "verstat", v.verstat());
            if (presentsRcd) {
                rcd(editor, caller, v.rcd(), presentRcd);
            }
        }
        if (v.priority() == Verification.Priority.FAILED) {
            for (int i = 0; i < m.headerCount(); i++) {
                if (m.headerNameString(i).equalsIgnoreCase("Resource-Priority")) {
                    editor.removeHeader(i);
                }
            }
            counters.count(ProxyCounters.Event.PRIORITY_REMOVED);
        }
        resultHeaders(editor, v, names);
    }

    private static void rcd(SipMessageEditor editor, NameAddress caller, RichCallData rcd,
                            Family.Presentation present) {
        if (present.displayName() && !rcd.nam().isEmpty()) {
            editor.setDisplayName(caller, rcd.nam());
        }
        if (present.callInfo()) {
            String reason = rcd.crn() == null ? "" : ";call-reason=\"" + rcd.crn().replace("\\", "\\\\")
                    .replace("\"", "\\\"") + "\"";
            if (rcd.icn() != null) {
                editor.addHeader("Call-Info", "<" + rcd.icn() + ">;purpose=icon" + reason);
                reason = "";
            }
            if (rcd.jcl() != null) {
                editor.addHeader("Call-Info", "<" + rcd.jcl() + ">;purpose=jcard" + reason);
            }
        }
    }

    /** Removes upstream result headers and, when ours are added, upstream Call-Info for icon or jCard. */
    private static void clean(SipMessageEditor editor, SipMessage m, VerificationPolicy.ResultHeaders names,
                              boolean callInfo) {
        if (names.none() && !callInfo) {
            return;
        }
        for (int i = 0; i < m.headerCount(); i++) {
            String n = m.headerNameString(i);
            if (names.names(n)) {
                editor.removeHeader(i);
            } else if (callInfo && n.equalsIgnoreCase("Call-Info")) {
                String value = m.headerValue(i).toLowerCase(Locale.ROOT);
                if (value.contains("purpose=icon") || value.contains("purpose=jcard")) {
                    editor.removeHeader(i);
                }
            }
        }
    }

    private static void resultHeaders(SipMessageEditor editor, Verification v, VerificationPolicy.ResultHeaders names) {
        if (names.none()) {
            return;
        }
        VerificationResult r = v.result();
        if (names.attestation() != null && r.passed() && r.attest() != null) {
            editor.addHeader(names.attestation(), r.attest());
        }
        if (names.origid() != null && r.passed() && r.origid() != null) {
            editor.addHeader(names.origid(), r.origid());
        }
        if (names.spc() != null && r.spc() != null) {
            editor.addHeader(names.spc(), r.spc());
        }
        outcome(editor, names.div(), v.first("div"));
        outcome(editor, names.rcd(), v.first("rcd"));
    }

    private static void outcome(SipMessageEditor editor, String header, Verification.Checked c) {
        if (header != null && c != null) {
            editor.addHeader(header, c.result().passed() ? "passed"
                    : c.result().failure().name().toLowerCase(Locale.ROOT));
        }
    }
}
