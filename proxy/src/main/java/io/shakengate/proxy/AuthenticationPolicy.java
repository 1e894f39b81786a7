package io.shakengate.proxy;

import io.shakengate.crypto.passport.Attestation;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The authentication service's policy (the ClearIP "Authentication Policies" idea): ordered rules, the
 * first that matches decides. A rule matches on the source (an IP prefix), the calling number (prefixes of
 * the canonical number) and the called number (prefixes); an absent condition matches anything. Actions:
 * sign with attestation A, B or C, do not sign, or block (603). When no rule matches, the default applies.
 */
public final class AuthenticationPolicy {
    /** What a rule decides. */
    public enum Action {
        /** Sign with attestation A. */
        ATTEST_A,
        /** Sign with attestation B. */
        ATTEST_B,
        /** Sign with attestation C. */
        ATTEST_C,
        /** Forward without signing. */
        NO_SIGN,
        /** Answer 603 Decline. */
        BLOCK;

        /** The attestation of a signing action, else null. */
        public Attestation attestation() {
            return switch (this) {
                case ATTEST_A -> Attestation.A;
                case ATTEST_B -> Attestation.B;
                case ATTEST_C -> Attestation.C;
                default -> null;
            };
        }
    }

    /**
     * How a signed PASSporT travels: in the INVITE's Identity header, published to the Call Placement
     * Service(s) for a call that crosses TDM (out of band, ATIS-1000096), or both.
     */
    public enum Delivery {
        IN_BAND, OUT_OF_BAND, BOTH;

        /** Whether the Identity header goes on the INVITE. */
        public boolean inBand() {
            return this != OUT_OF_BAND;
        }

        /** Whether the PASSporT is published to the CPS. */
        public boolean outOfBand() {
            return this != IN_BAND;
        }
    }

    /**
     * One rule.
     *
     * @param name          name, for logs and counters
     * @param source        source prefix as "address/bits" (IPv4 or IPv6), or null for any
     * @param callingPrefix prefixes of the canonical calling number, empty for any
     * @param calledPrefix  prefixes of the canonical called number, empty for any
     * @param action        what the rule decides
     * @param delivery      how its PASSporTs travel, or null for the policy's default
     */
    public record Rule(String name, String source, List<String> callingPrefix, List<String> calledPrefix,
                       Action action, Delivery delivery) {
        /** A rule with the policy's default delivery. */
        public Rule(String name, String source, List<String> callingPrefix, List<String> calledPrefix, Action action) {
            this(name, source, callingPrefix, calledPrefix, action, null);
        }

        /** Validates the source prefix now, so a bad one is refused when the policy is built. */
        public Rule {
            if (source != null) {
                parse(source);
            }
            callingPrefix = List.copyOf(callingPrefix);
            calledPrefix = List.copyOf(calledPrefix);
        }

        boolean matches(InetAddress from, String calling, String called) {
            return (source == null || (from != null && inPrefix(from, source)))
                    && matchesPrefix(callingPrefix, calling) && matchesPrefix(calledPrefix, called);
        }
    }

    private final List<Rule> rules;
    private final Action defaultAction;
    private final Delivery defaultDelivery;

    /** A policy of {@code rules} (in order) with {@code defaultAction} when none matches; in-band delivery. */
    public AuthenticationPolicy(List<Rule> rules, Action defaultAction) {
        this(rules, defaultAction, Delivery.IN_BAND);
    }

    /** A policy of {@code rules} (in order) with {@code defaultAction} and {@code defaultDelivery}. */
    public AuthenticationPolicy(List<Rule> rules, Action defaultAction, Delivery defaultDelivery) {
        this.rules = new ArrayList<>(rules);
        this.defaultAction = defaultAction;
        this.defaultDelivery = defaultDelivery;
    }

    /** What the policy decides for one call: the action and how the PASSporT travels. */
    public record Decision(Action action, Delivery delivery) {
    }

    /** The decision for a call from {@code from} with canonical numbers (either may be null). */
    public Decision decision(InetAddress from, String calling, String called) {
        for (Rule r : rules) {
            if (r.matches(from, calling, called)) {
                return new Decision(r.action(), r.delivery() == null ? defaultDelivery : r.delivery());
            }
        }
        return new Decision(defaultAction, defaultDelivery);
    }

    /** Sign everything with attestation {@code a}. */
    public static AuthenticationPolicy always(Attestation a) {
        return new AuthenticationPolicy(List.of(), Action.valueOf("ATTEST_" + a.name()));
    }

    /** The action for a call from {@code from} with canonical numbers (either may be null). */
    public Action decide(InetAddress from, String calling, String called) {
        for (Rule r : rules) {
            if (r.matches(from, calling, called)) {
                return r.action();
            }
        }
        return defaultAction;
    }

    private static boolean matchesPrefix(List<String> prefixes, String number) {
        if (prefixes.isEmpty()) {
            return true;
        }
        if (number == null) {
            return false;
        }
        for (String p : prefixes) {
            if (number.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static Object[] parse(String cidr) {
        int slash = cidr.indexOf('/');
        try {
            String host = slash < 0 ? cidr : cidr.substring(0, slash);
            boolean literal = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
            if (!literal) {
                throw new IllegalArgumentException("source must be an IP prefix, not a name: " + cidr);
            }
            InetAddress a = InetAddress.getByName(host);
            int bits = slash < 0 ? a.getAddress().length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            if (bits < 0 || bits > a.getAddress().length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Object[] {a.getAddress(), bits};
        } catch (java.net.UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not an IP prefix: " + cidr, e);
        }
    }

    static boolean inPrefix(InetAddress a, String cidr) {
        Object[] p = parse(cidr);
        byte[] net = (byte[]) p[0];
        int bits = (Integer) p[1];
        byte[] addr = a.getAddress();
        if (addr.length != net.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((addr[i / 8] & mask) != (net[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
