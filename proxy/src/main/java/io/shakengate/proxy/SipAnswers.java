package io.shakengate.proxy;

import io.shakengate.codec.SipMessage;
import io.shakengate.codec.SipResponses;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Refusal;
import io.shakengate.proxy.stir.Verification;

/** The SIP answers of the STIR services' refusals (as the services decided them), for both SIP fronts. */
final class SipAnswers {
    private SipAnswers() {
    }

    /** Whether the verification's action answers the INVITE instead of passing it on. */
    static boolean refuses(Verification v) {
        return v.refusal() != null;
    }

    /** The service's refusal (counted by kind where the service decided it) as a response to {@code m}. */
    static SipResponses answer(SipMessage m, Refusal r, ProxyCounters counters) {
        counters.count(ProxyCounters.Event.REQUEST_REJECTED);
        SipResponses out = SipResponses.to(m, r.status(), r.phrase());
        for (Refusal.Header h : r.headers()) {
            out.header(h.name(), h.value());
        }
        return out;
    }
}
