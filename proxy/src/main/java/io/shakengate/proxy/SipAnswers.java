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

    /**
     * Whether {@code m} is an OPTIONS for the appliance itself (RFC 3261 section 11: a softswitch's or a load
     * balancer's keep-alive): its Request-URI has no user part and names this point ({@code advertised}), or
     * it carries no user part and no Route at all. Other OPTIONS are routed like any request.
     */
    static boolean optionsForUs(SipMessage m, String advertised) {
        if (m.method() != io.shakengate.codec.SipMethod.OPTIONS) {
            return false;
        }
        try {
            io.shakengate.codec.SipUri uri = m.requestUri();
            String user = uri.user();
            return (user == null || user.isEmpty())
                    && (SipAddresses.names(uri, advertised) || m.indexOf(io.shakengate.codec.SipHeaderName.ROUTE) < 0);
        } catch (io.shakengate.codec.SipParseException e) {
            return false;
        }
    }

    /** The answer to an OPTIONS for the appliance: 200 with what it takes, or 503 + Retry-After while stopping. */
    static SipResponses options(SipMessage m, boolean draining) {
        if (draining) {
            return SipResponses.to(m, 503, "Service Unavailable").header("Retry-After", "30");
        }
        return SipResponses.to(m, 200, "OK").header("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS")
                .header("Accept", "application/sdp");
    }
}
