package io.shakengate.proxy.http;

import io.shakengate.codec.IdentityHeader;
import io.shakengate.codec.SipParseException;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.passport.Json;
import io.shakengate.crypto.passport.TelephoneNumbers;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.stir.Authentication;
import io.shakengate.proxy.stir.AuthenticationService;
import io.shakengate.proxy.stir.CallFacts;
import io.shakengate.proxy.stir.VerificationFacts;
import io.shakengate.proxy.stir.VerificationService;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The HTTP signing and verification API for softswitches (ATIS-1000082 as the standards digest section 12
 * describes it): {@code POST /stir/v1/signing} and {@code POST /stir/v1/verification}, JSON in and out,
 * a front of the STIR services that only translates: fields into call facts, the services' answers into
 * JSON ({@link ServiceConfig} read once per request, so a reload applies to the next request). Business outcomes are HTTP 200; request errors are 4xx with a
 * {@code requestError} body naming the parameter. Transport-level checks (method, content type, length,
 * authentication) are {@link HttpApiServer}'s.
 *
 * <p>Choices where the digest is unconfirmed: a signing request the authentication policy blocks or would
 * not sign gets 403 POL4003; a verification request without {@code identity} is looked up in the CPS (by
 * {@code from} and the first {@code to}) when the appliance retrieves out of band, else answered 428
 * No-TN-Validation as a SIP call without Identity is; {@code identity} may be a list of values; {@code origid} is mandatory (as the digest's example error
 * shows; vermouth would generate one); {@code time} is optional (absent: {@code iat} alone decides
 * freshness); a verification whose certificate does not arrive within the per-call budget answers 436
 * with {@code No-TN-Validation}, the SIP path's fallback.
 */
public final class StirApi {
    /** An HTTP status and its JSON body. */
    public record Response(int status, String json) {
    }

    private final Supplier<ServiceConfig> services;

    /** The API over the services in force. */
    public StirApi(Supplier<ServiceConfig> services) {
        this.services = services;
    }

    /** Request error: a parameter is missing (SVC4001). */
    public static Response missing(String parameter) {
        return ApiErrors.service(400, "SVC4001", "Missing mandatory parameter '%1'", parameter);
    }

    /** Request error: a parameter has an invalid value (SVC4005). */
    public static Response invalid(String parameter, String why) {
        return ApiErrors.service(400, "SVC4005", "Invalid '%1' parameter value: %2", parameter, why);
    }

    /** {@code POST /stir/v1/signing} from an unknown address (tests). */
    public Response signing(byte[] body) {
        return signing(body, null, new ProxyCounters());
    }

    /**
     * {@code POST /stir/v1/signing} from {@code client}: the request's fields become the authentication
     * service's call facts (the request's {@code attest} and {@code origid} are the softswitch's, which the
     * service honours for the API); its decision becomes the answer: the Identity value (also when the matching
     * rule publishes it to the CPS), or 403 POL4003 for a rule that blocks the call or does not sign it.
     */
    public Response signing(byte[] body, java.net.InetAddress client, ProxyCounters counts) {
        Map<String, Object> request = object(body, "signingRequest");
        if (request == null) {
            return body.length == 0 ? ApiErrors.noBody() : unparsable(body, "signingRequest");
        }
        AuthenticationService service = services.get().authentication();
        if (!service.signs()) {
            return ApiErrors.service(404, "SVC4003", "Resource not found: %1", "this appliance does not sign");
        }
        Object attest = request.get("attest");
        if (attest == null) {
            return missing("attest");
        }
        if (!(attest instanceof String v) || !(v.equals("A") || v.equals("B") || v.equals("C"))) {
            return invalid("attest", "attest must be A, B or C");
        }
        Object orig = tnOf(request.get("orig"), false);
        if (orig instanceof Response r) {
            return r == MISSING ? missing("orig") : invalid("orig", "orig must be {\"tn\":\"<telephone number>\"}");
        }
        Object dest = tnOf(request.get("dest"), true);
        if (dest instanceof Response r) {
            return r == MISSING ? missing("dest")
                    : invalid("dest", "dest must be {\"tn\":[\"<telephone number>\", ...]}");
        }
        Object iat = request.get("iat");
        if (iat == null) {
            return missing("iat");
        }
        if (!(iat instanceof Long seconds) || seconds < 0) {
            return invalid("iat", "iat must be a non-negative integer (seconds since 1970)");
        }
        Object origid = request.get("origid");
        if (origid == null) {
            return missing("origid");
        }
        if (!(origid instanceof String id) || !isUuid(id)) {
            return invalid("origid", "origid must be a UUID");
        }
        @SuppressWarnings("unchecked")
        List<String> destTns = (List<String>) dest;
        // extensions of ATIS-1000082 for the PASSporT family: "div" names the number the call was first
        // addressed to (a div PASSporT for the new dest, RFC 8946), "resourcePriority" the request's
        // Resource-Priority values (an rph PASSporT for those policy authorises, RFC 8443)
        Object div = request.containsKey("div") ? tnOf(request.get("div"), false) : null;
        if (div instanceof Response) {
            return invalid("div", "div must be {\"tn\":\"<the number first called>\"}");
        }
        List<String> priorities = new java.util.ArrayList<>(0);
        Object rp = request.get("resourcePriority");
        if (rp != null) {
            if (!(rp instanceof List<?> l) || l.size() > 8 || !l.stream().allMatch(x -> x instanceof String t
                    && t.matches("[A-Za-z0-9!%'*+_`~-]{1,32}\\.[A-Za-z0-9!%'*+_`~-]{1,32}"))) {
                return invalid("resourcePriority", "resourcePriority must be a list of at most 8 values such as "
                        + "\"ets.0\" (RFC 4412 namespace.priority)");
            }
            for (Object x : l) {
                priorities.add((String) x);
            }
        }
        Authentication a = service.authenticate(new CallFacts(CallFacts.Front.API, client, POINT, null, (String) orig,
                destTns, (String) attest, id, seconds, false, null, (String) div, priorities), counts, new byte[1][]);
        if (!a.signed()) {
            return ApiErrors.policy(403, "POL4003", "Signing refused by policy: %1",
                    a.outcome() == Authentication.Outcome.BLOCKED ? "the call is blocked"
                            : a.outcome() == Authentication.Outcome.OUT_OF_SCOPE
                            ? "no signing identity holds the calling number" : "calls like this are not signed");
        }
        String identity = a.identityString();
        StringBuilder b = new StringBuilder(identity.length() + 48).append("{\"signingResponse\":{\"identity\":");
        Json.quote(b, identity);
        if (!a.family().isEmpty()) {
            // an extension of ATIS-1000082: the other PASSporTs signed for the call (div, rcd, rph),
            // each an Identity header value, after the SHAKEN one
            b.append(",\"identities\":[");
            Json.quote(b, identity);
            for (String more : a.family()) {
                Json.quote(b.append(','), more);
            }
            b.append(']');
        }
        return new Response(200, b.append("}}").toString());
    }

    /** The most Identity values one verification request may carry. */
    public static final int MAX_IDENTITIES = 8;

    /** The name the API's requests carry as their listening point (the verification policy's default applies). */
    public static final String POINT = "api";

    /** {@code POST /stir/v1/verification} with the JDK's timer for the budget (tests). */
    public CompletableFuture<Response> verification(byte[] body) {
        return verification(body, null, new ProxyCounters());
    }

    /**
     * {@code POST /stir/v1/verification}: the request's fields become the verification service's call facts,
     * its verification the answer. {@code identity} is one Identity header value, or (an extension of
     * ATIS-1000082) the list of a call's values, such as its shaken and div PASSporTs. Without it, the service
     * looks the call up in the CPS when this appliance retrieves out of band; otherwise the answer is the
     * service's for a call without Identity: 428, No-TN-Validation. The future completes when the service does,
     * at the latest when its budget runs out on {@code timer}.
     */
    public CompletableFuture<Response> verification(byte[] body, java.util.concurrent.ScheduledExecutorService timer,
                                                    ProxyCounters counts) {
        Map<String, Object> request = object(body, "verificationRequest");
        if (request == null) {
            return done(body.length == 0 ? ApiErrors.noBody() : unparsable(body, "verificationRequest"));
        }
        VerificationService service = services.get().verification();
        if (service == null) {
            return done(ApiErrors.service(404, "SVC4003", "Resource not found: %1", "this appliance does not verify"));
        }
        Object from = tnOf(request.get("from"), false);
        if (from instanceof Response r) {
            return done(r == MISSING ? missing("from") : invalid("from", "from must be {\"tn\":\"<telephone number>\"}"));
        }
        Object to = tnOf(request.get("to"), true);
        if (to instanceof Response r) {
            return done(r == MISSING ? missing("to") : invalid("to", "to must be {\"tn\":[\"<telephone number>\", ...]}"));
        }
        Object time = request.get("time");
        if (time != null && (!(time instanceof Long t) || t < 0)) {
            return done(invalid("time", "time must be a non-negative integer (seconds since 1970)"));
        }
        Object identity = request.get("identity");
        List<VerificationFacts.Identity> ids;
        if (identity == null) {
            ids = List.of(); // looked up in the CPS when the appliance retrieves, else 428 No-TN-Validation
        } else if (identity instanceof String value) {
            ids = List.of(identityOf(value));
        } else if (identity instanceof List<?> values && !values.isEmpty() && values.size() <= MAX_IDENTITIES
                && values.stream().allMatch(String.class::isInstance)) {
            ids = new ArrayList<>(values.size());
            for (Object value : values) {
                ids.add(identityOf((String) value));
            }
        } else {
            return done(invalid("identity", "identity must be the Identity header value (a string), or the values"
                    + " of a call's Identity headers (1 to " + MAX_IDENTITIES + " strings)"));
        }
        @SuppressWarnings("unchecked")
        List<String> destTns = (List<String>) to;
        return service.verify(new VerificationFacts(POINT, ids, (String) from, destTns,
                time == null ? -1 : (Long) time), timer, counts).thenApply(v -> result(v.result(), v.verstat()));
    }

    /** An Identity header value as the service's identity (a token of null when it does not parse). */
    private static VerificationFacts.Identity identityOf(String value) {
        try {
            IdentityHeader h = IdentityHeader.parseValue(value);
            return new VerificationFacts.Identity(h.token(), h.info(), h.alg(), h.ppt());
        } catch (SipParseException e) {
            return new VerificationFacts.Identity(null, null, null, "shaken");
        }
    }

    /** The verificationResponse of a result. */
    public static Response result(VerificationResult r) {
        return result(r, r.verstat());
    }

    /** The verificationResponse of a result with the call's {@code verstat}. */
    public static Response result(VerificationResult r, String verstat) {
        StringBuilder b = new StringBuilder(160).append("{\"verificationResponse\":{");
        if (!r.passed()) {
            VerificationFailure f = r.failure();
            b.append("\"reasoncode\":").append(f.sipStatus()).append(",\"reasontext\":");
            Json.quote(b, f.reasonPhrase()).append(",\"reasondesc\":");
            Json.quote(b, f.description()).append(',');
        }
        b.append("\"verstat\":");
        return new Response(200, Json.quote(b, verstat).append("}}").toString());
    }

    private static CompletableFuture<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }

    private static final Response MISSING = new Response(0, "");
    private static final Response INVALID = new Response(0, "");

    /** The request object under {@code name}, or null if the body is not {"name":{...}}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(byte[] body, String name) {
        Map<String, Object> top = Json.parseObject(body, 0, body.length);
        return top != null && top.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static Response unparsable(byte[] body, String name) {
        return Json.parseObject(body, 0, body.length) == null
                ? ApiErrors.service(400, "SVC4006", "Unable to parse the request body: %1", "not a JSON object")
                : missing(name);
    }

    /**
     * {"tn": "number"} (one) or {"tn": ["number", ...]} (many): the canonical number(s), else MISSING or
     * INVALID.
     */
    private static Object tnOf(Object v, boolean many) {
        if (v == null) {
            return MISSING;
        }
        if (!(v instanceof Map<?, ?> m) || m.size() != 1 || m.get("tn") == null) {
            return INVALID;
        }
        Object tn = m.get("tn");
        if (!many) {
            String c = tn instanceof String s ? TelephoneNumbers.canonicalize(s) : null;
            return c == null || c.isEmpty() ? INVALID : c;
        }
        if (!(tn instanceof List<?> list) || list.isEmpty() || list.size() > 16) {
            return INVALID;
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            String c = o instanceof String s ? TelephoneNumbers.canonicalize(s) : null;
            if (c == null || c.isEmpty()) {
                return INVALID;
            }
            out.add(c);
        }
        return out;
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
