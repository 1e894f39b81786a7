package io.shakengate.proxy.http;

import io.shakengate.codec.IdentityHeader;
import io.shakengate.codec.SipParseException;
import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.Json;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.crypto.passport.TelephoneNumbers;
import io.shakengate.proxy.ServiceConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The HTTP signing and verification API for softswitches (ATIS-1000082 as the standards digest section 12
 * describes it): {@code POST /stir/v1/signing} and {@code POST /stir/v1/verification}, JSON in and out,
 * with the signer and verifier of the SIP path ({@link ServiceConfig}, read once per request, so a reload
 * applies to the next request). Business outcomes are HTTP 200; request errors are 4xx with a
 * {@code requestError} body naming the parameter. Transport-level checks (method, content type, length,
 * authentication) are {@link HttpApiServer}'s.
 *
 * <p>Choices where the digest is unconfirmed: a signing request the authentication policy blocks or would
 * not sign gets 403 POL4003; {@code origid} is mandatory (as the digest's example error
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
        return signing(body, null);
    }

    /**
     * {@code POST /stir/v1/signing} from {@code client}: the request's attestation stands (the softswitch
     * decided it), but the authentication policy still applies: a rule that blocks the call or says not to sign
     * it (by the client's address and the numbers) refuses with 403 POL4003.
     */
    public Response signing(byte[] body, java.net.InetAddress client) {
        Map<String, Object> request = object(body, "signingRequest");
        if (request == null) {
            return body.length == 0 ? ApiErrors.noBody() : unparsable(body, "signingRequest");
        }
        ServiceConfig s = services.get();
        PassportSigner signer = s.signer();
        if (signer == null) {
            return ApiErrors.service(404, "SVC4003", "Resource not found: %1", "this appliance does not sign");
        }
        Object attest = request.get("attest");
        if (attest == null) {
            return missing("attest");
        }
        Attestation a = attest instanceof String v && v.length() == 1 ? attestation(v.charAt(0)) : null;
        if (a == null) {
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
        io.shakengate.proxy.AuthenticationPolicy.Action action = s.authenticationPolicy()
                .decision(client, (String) orig, destTns.get(0)).action();
        if (action == io.shakengate.proxy.AuthenticationPolicy.Action.BLOCK
                || action == io.shakengate.proxy.AuthenticationPolicy.Action.NO_SIGN) {
            return ApiErrors.policy(403, "POL4003", "Signing refused by policy: %1",
                    action == io.shakengate.proxy.AuthenticationPolicy.Action.BLOCK ? "the call is blocked"
                            : "calls like this are not signed");
        }
        String identity = signer.identity(new ShakenClaims(a, (String) orig, destTns, seconds, id));
        StringBuilder b = new StringBuilder(identity.length() + 48).append("{\"signingResponse\":{\"identity\":");
        return new Response(200, Json.quote(b, identity).append("}}").toString());
    }

    /**
     * {@code POST /stir/v1/verification}: the future completes when the verifier does (at once when the
     * certificate is cached), on the verifier's thread; the caller applies the budget.
     */
    public CompletableFuture<Response> verification(byte[] body) {
        Map<String, Object> request = object(body, "verificationRequest");
        if (request == null) {
            return done(body.length == 0 ? ApiErrors.noBody() : unparsable(body, "verificationRequest"));
        }
        PassportVerifier verifier = services.get().verifier();
        if (verifier == null) {
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
        if (identity == null) {
            return done(missing("identity"));
        }
        if (!(identity instanceof String value)) {
            return done(invalid("identity", "identity must be the Identity header value, a string"));
        }
        IdentityHeader h;
        try {
            h = IdentityHeader.parseValue(value);
        } catch (SipParseException e) {
            return done(result(VerificationResult.failed(VerificationFailure.PASSPORT_MALFORMED)));
        }
        if (h.isCompactForm()) {
            return done(result(VerificationResult.failed(VerificationFailure.PASSPORT_COMPACT_FORM)));
        }
        @SuppressWarnings("unchecked")
        List<String> destTns = (List<String>) to;
        return verifier.verify(new PassportVerifier.Request(h.token(), h.info(), h.alg(), h.ppt(), (String) from,
                destTns, time == null ? -1 : (Long) time)).thenApply(StirApi::result);
    }

    /** The answer when the certificate did not arrive within the budget: the SIP path's fallback. */
    public static Response budgetExceeded() {
        return new Response(200, "{\"verificationResponse\":{\"reasoncode\":436,\"reasontext\":\"Bad Identity Info\","
                + "\"reasondesc\":\"The certificate could not be retrieved within the verification budget.\","
                + "\"verstat\":\"" + VerificationFailure.VERSTAT_NONE + "\"}}");
    }

    /** The verificationResponse of a result. */
    public static Response result(VerificationResult r) {
        StringBuilder b = new StringBuilder(160).append("{\"verificationResponse\":{");
        if (!r.passed()) {
            VerificationFailure f = r.failure();
            b.append("\"reasoncode\":").append(f.sipStatus()).append(",\"reasontext\":");
            Json.quote(b, f.reasonPhrase()).append(",\"reasondesc\":");
            Json.quote(b, f.description()).append(',');
        }
        b.append("\"verstat\":");
        return new Response(200, Json.quote(b, r.verstat()).append("}}").toString());
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

    private static Attestation attestation(char c) {
        return switch (c) {
            case 'A' -> Attestation.A;
            case 'B' -> Attestation.B;
            case 'C' -> Attestation.C;
            default -> null;
        };
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
