package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.Attestation;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The authentication service's policy (the ClearIP "Authentication Policies" idea): ordered rules, the
 * first that matches decides. A rule matches on the source (an IP prefix), the trunk (named by a header or the
 * Request-URI's {@code tgrp} parameter, RFC 4904), the calling number (prefixes of the canonical number, or a
 * {@link NumberList} from a file) and the called number (likewise); an absent condition matches anything.
 * Actions: sign with attestation A, B or C, do not sign, or block (603); a rule may let the request's
 * {@code Attestation-Info} and {@code Origination-Id} headers (3GPP TS 24.229) set the attestation and
 * origid. When no rule matches, the default applies.
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
        /** Block on analytics: ATIS-1000099 603+ (603 Decline without redress contacts; see {@link Blocking}). */
        BLOCK,
        /** Block on a Do-Not-Originate list: 603 Decline (not 603+), counted apart. */
        BLOCK_DNO;

        /** Whether the action blocks the call. */
        public boolean blocks() {
            return this == BLOCK || this == BLOCK_DNO;
        }

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
     * @param more          trunk, number lists and header trust ({@link More#NONE} for none)
     */
    public record Rule(String name, String source, List<String> callingPrefix, List<String> calledPrefix,
                       Action action, Delivery delivery, More more) {
        /** A rule with the policy's default delivery. */
        public Rule(String name, String source, List<String> callingPrefix, List<String> calledPrefix, Action action) {
            this(name, source, callingPrefix, calledPrefix, action, null, More.NONE);
        }

        /** A rule without trunk, lists or header trust. */
        public Rule(String name, String source, List<String> callingPrefix, List<String> calledPrefix, Action action,
                    Delivery delivery) {
            this(name, source, callingPrefix, calledPrefix, action, delivery, More.NONE);
        }

        /** Validates the source prefix now, so a bad one is refused when the policy is built. */
        public Rule {
            if (source != null) {
                parse(source);
            }
            callingPrefix = List.copyOf(callingPrefix);
            calledPrefix = List.copyOf(calledPrefix);
        }

        boolean matches(InetAddress from, String calling, String called, String trunkOfCall) {
            return (source == null || (from != null && inPrefix(from, source)))
                    && (more.trunk() == null || more.trunk().equals(trunkOfCall))
                    && matches(callingPrefix, more.callingList(), calling)
                    && matches(calledPrefix, more.calledList(), called);
        }

        private static boolean matches(List<String> prefixes, NumberList list, String number) {
            if (list == null) {
                return matchesPrefix(prefixes, number);
            }
            return (!prefixes.isEmpty() && matchesPrefix(prefixes, number)) || list.contains(number);
        }
    }

    /**
     * A rule's further conditions.
     *
     * @param trunk        the trunk the call must arrive on (null: any)
     * @param callingList  calling numbers (with callingPrefixes: either matches), or null
     * @param calledList   called numbers, likewise, or null
     * @param fromHeaders  whether Attestation-Info / Origination-Id in the request set attestation and origid
     * @param identity     the signing identity the rule signs with (null: the default identity)
     */
    public record More(String trunk, NumberList callingList, NumberList calledList, boolean fromHeaders,
                       String identity) {
        /** No further conditions. */
        public static final More NONE = new More(null, null, null, false, null);

        /** Conditions signing with the default identity. */
        public More(String trunk, NumberList callingList, NumberList calledList, boolean fromHeaders) {
            this(trunk, callingList, calledList, fromHeaders, null);
        }
    }

    private final List<Rule> rules;
    private final Action defaultAction;
    private final Delivery defaultDelivery;
    private final String trunkHeader;
    private final boolean calledFromRequestUri;

    /** A policy of {@code rules} (in order) with {@code defaultAction} when none matches; in-band delivery. */
    public AuthenticationPolicy(List<Rule> rules, Action defaultAction) {
        this(rules, defaultAction, Delivery.IN_BAND);
    }

    /** A policy of {@code rules} (in order) with {@code defaultAction} and {@code defaultDelivery}. */
    public AuthenticationPolicy(List<Rule> rules, Action defaultAction, Delivery defaultDelivery) {
        this(rules, defaultAction, defaultDelivery, null, false);
    }

    private AuthenticationPolicy(List<Rule> rules, Action defaultAction, Delivery defaultDelivery, String trunkHeader,
                                 boolean calledFromRequestUri) {
        this.rules = new ArrayList<>(rules);
        this.defaultAction = defaultAction;
        this.defaultDelivery = defaultDelivery;
        this.trunkHeader = trunkHeader;
        this.calledFromRequestUri = calledFromRequestUri;
    }

    /**
     * What the policy decides for one call: the action, how the PASSporT travels, and whether the request's
     * Attestation-Info / Origination-Id headers count, and the signing identity it names (null: the default).
     */
    public record Decision(Action action, Delivery delivery, boolean fromHeaders, String rule, String identity) {
        /** The name of the default when no rule matched. */
        public static final String DEFAULT_RULE = "default";

        /** A decision signing with the default identity. */
        public Decision(Action action, Delivery delivery, boolean fromHeaders, String rule) {
            this(action, delivery, fromHeaders, rule, null);
        }
    }

    /** The decision for a call from {@code from} with canonical numbers (either may be null), on no known trunk. */
    public Decision decision(InetAddress from, String calling, String called) {
        return decision(from, calling, called, null);
    }

    /** The decision for a call from {@code from} on {@code trunk} (or null) with canonical numbers. */
    public Decision decision(InetAddress from, String calling, String called, String trunk) {
        for (Rule r : rules) {
            if (r.matches(from, calling, called, trunk)) {
                return new Decision(r.action(), r.delivery() == null ? defaultDelivery : r.delivery(),
                        r.more().fromHeaders(), r.name(), r.more().identity());
            }
        }
        return new Decision(defaultAction, defaultDelivery, false, Decision.DEFAULT_RULE);
    }

    /** The default action (when no rule matches). */
    public Action defaultAction() {
        return defaultAction;
    }

    /** The header naming the trunk a call arrives on (null: only the Request-URI's tgrp parameter). */
    public String trunkHeader() {
        return trunkHeader;
    }

    /** This policy with {@code header} naming the trunk. */
    public AuthenticationPolicy withTrunkHeader(String header) {
        return new AuthenticationPolicy(rules, defaultAction, defaultDelivery, header, calledFromRequestUri);
    }

    /** Whether the called number is the Request-URI's (else, or when it has none, the To header's). */
    public boolean calledFromRequestUri() {
        return calledFromRequestUri;
    }

    /** This policy taking the called number from the Request-URI ({@code true}) or the To header. */
    public AuthenticationPolicy withCalledFromRequestUri(boolean fromRequestUri) {
        return new AuthenticationPolicy(rules, defaultAction, defaultDelivery, trunkHeader, fromRequestUri);
    }

    /** Sign everything with attestation {@code a}. */
    public static AuthenticationPolicy always(Attestation a) {
        return new AuthenticationPolicy(List.of(), Action.valueOf("ATTEST_" + a.name()));
    }

    /** The action for a call from {@code from} with canonical numbers (either may be null). */
    public Action decide(InetAddress from, String calling, String called) {
        return decision(from, calling, called, null).action();
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

    /**
     * Prefixes parsed once: rules and routes are matched per request on the event loops, and their prefixes
     * come from the configuration (a bounded set), so each is parsed the first time only.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Object[]> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();

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

    /** True if {@code a} is inside {@code cidr} ("address/bits"); a malformed prefix throws IllegalArgumentException. */
    public static boolean inPrefix(InetAddress a, String cidr) {
        Object[] p = PARSED.computeIfAbsent(cidr, AuthenticationPolicy::parse);
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
