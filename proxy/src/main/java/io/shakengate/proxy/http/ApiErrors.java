package io.shakengate.proxy.http;

import io.shakengate.crypto.passport.Json;

/**
 * The API's request errors (standards digest section 12.4):
 * {@code {"requestError":{"serviceException"|"policyException":{"messageId","text","variables"}}}}, the
 * text with {@code %1}, {@code %2} placeholders and the values in {@code variables}.
 */
final class ApiErrors {
    private ApiErrors() {
    }

    static StirApi.Response service(int status, String id, String text, String... variables) {
        return error(status, "serviceException", id, text, variables);
    }

    static StirApi.Response policy(int status, String id, String text, String... variables) {
        return error(status, "policyException", id, text, variables);
    }

    /** SVC4000: no body. */
    static StirApi.Response noBody() {
        return service(400, "SVC4000", "Missing request body");
    }

    private static StirApi.Response error(int status, String kind, String id, String text, String... variables) {
        StringBuilder b = new StringBuilder(160).append("{\"requestError\":{\"").append(kind).append("\":{\"messageId\":");
        Json.quote(b, id).append(",\"text\":");
        Json.quote(b, text).append(",\"variables\":[");
        for (int i = 0; i < variables.length; i++) {
            Json.quote(i == 0 ? b : b.append(','), variables[i]);
        }
        return new StirApi.Response(status, b.append("]}}}").toString());
    }
}
