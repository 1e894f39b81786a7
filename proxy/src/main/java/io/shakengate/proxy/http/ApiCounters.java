package io.shakengate.proxy.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP listener's answers, counted by route ({@code signing}, {@code verification}, {@code passports},
 * {@code health}, {@code other}), status and, for request errors, their {@code messageId} (SVC4001, POL4050,
 * ...; the CPS's {@code reason}): every request is counted once, when it is answered. The label sets are
 * bounded (fixed routes, the statuses and ids the listener itself produces). Thread-safe.
 */
public final class ApiCounters {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts one answer of {@code status} with {@code json} to a request for {@code path}. */
    void count(String path, int status, String json) {
        String key = route(path) + "\",status=\"" + status + "\",id=\"" + id(json);
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** How many answers of {@code status} went to requests on {@code route} (any id). */
    public long get(String route, int status) {
        long n = 0;
        String prefix = route + "\",status=\"" + status + "\",";
        for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** How many answers carried {@code id} (a messageId or CPS reason). */
    public long withId(String id) {
        long n = 0;
        for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
            if (e.getKey().endsWith(",id=\"" + id)) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** Prometheus text. */
    public String metrics() {
        StringBuilder b = new StringBuilder(256).append(
                "# HELP shakengate_api_requests_total HTTP API requests, by route, status and error id.\n")
                .append("# TYPE shakengate_api_requests_total counter\n");
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b
                .append("shakengate_api_requests_total{route=\"").append(e.getKey()).append("\"} ")
                .append(e.getValue().sum()).append('\n'));
        return b.toString();
    }

    static String route(String path) {
        return switch (path) {
            case "/stir/v1/signing" -> "signing";
            case "/stir/v1/verification" -> "verification";
            case "/health" -> "health";
            case "/status" -> "status";
            default -> path.startsWith("/passports/") ? "passports" : path.startsWith("/console") ? "console" : "other";
        };
    }

    /** The messageId (or CPS reason) of an error body, "" for none; only [A-Za-z0-9_] kept. */
    static String id(String json) {
        int at = json.indexOf("\"messageId\":\"");
        int from = at >= 0 ? at + 13 : json.indexOf("\"reason\":\"") >= 0 ? json.indexOf("\"reason\":\"") + 10 : -1;
        if (from < 0 || !json.startsWith("{\"requestError\"") && !json.startsWith("{\"error\"")) {
            return "";
        }
        StringBuilder id = new StringBuilder(12);
        for (int i = from; i < json.length() && id.length() < 32; i++) {
            char c = json.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '_') {
                break;
            }
            id.append(c);
        }
        return id.toString();
    }
}
