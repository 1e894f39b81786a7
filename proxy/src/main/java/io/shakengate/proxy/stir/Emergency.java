package io.shakengate.proxy.stir;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which calls are emergency calls (the {@code emergency} settings): called numbers (as dialled or canonical,
 * e.g. {@code 911}, {@code 933}) and service URNs ({@code urn:service:sos} and its sub-services, RFC 5031).
 * An emergency call is never blocked or rejected by a verification or authentication policy (ATIS-1000078,
 * RFC 8443 section 5: verification outcomes may mark it, never stop it); it is marked and counted.
 *
 * @param numbers the emergency numbers
 * @param urns    the service URNs (a URN matches itself and its sub-services)
 */
public record Emergency(Set<String> numbers, List<String> urns) {
    /** 911 and 933 (US), urn:service:sos. */
    public static final Emergency DEFAULT = new Emergency(Set.of("911", "933"), List.of("urn:service:sos"));

    /** Copies. */
    public Emergency {
        numbers = Set.copyOf(numbers);
        urns = urns.stream().map(u -> u.toLowerCase(Locale.ROOT)).toList();
    }

    /** Whether a call to {@code called} (numbers) or addressed to {@code target} (a URI, may be null) is one. */
    public boolean matches(List<String> called, String target) {
        for (String n : called) {
            if (n != null && numbers.contains(n)) {
                return true;
            }
        }
        if (target != null && !urns.isEmpty() && target.regionMatches(true, 0, "urn:", 0, 4)) {
            String t = target.toLowerCase(Locale.ROOT);
            for (String u : urns) {
                if (t.equals(u) || t.startsWith(u + ".")) {
                    return true;
                }
            }
        }
        return false;
    }
}
