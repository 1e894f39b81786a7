package io.shakengate.proxy.stir;

import io.shakengate.crypto.cache.CertificateFetcher;

import java.util.Set;

/**
 * The settings of the PASSporT family and of what is never refused, shared by both services: emergency
 * calls, how blocks are answered, the Resource-Priority namespaces authorised (RFC 8443: signed when a request
 * carries them, accepted when an rph PASSporT vouches for them), the branded-calling table, where the content
 * that {@code rcdi} digests cover is fetched from, and whether a sign point adds a div PASSporT for a diverted
 * call.
 *
 * @param emergency  the emergency calls
 * @param blocking   how blocks are answered
 * @param priorities the authorised Resource-Priority namespaces ({@code ets}, {@code wps}, {@code esnet}, ...)
 * @param branding   the branded-calling table
 * @param rcdContent fetches rcd content (icon, jCard) to check its rcdi digest; null: digests are not checked
 *                   (and counted as such)
 * @param signDiv    whether a diverted call (Diversion, RFC 5806) gets a div PASSporT at a sign point
 * @param presentRcd how verified Rich Call Data reaches the softswitch
 */
public record Family(Emergency emergency, Blocking blocking, Set<String> priorities, Branding branding,
                     CertificateFetcher rcdContent, boolean signDiv, Presentation presentRcd) {
    /** How verified Rich Call Data is shown to the softswitch. */
    public enum Presentation {
        /** Not at all. */
        NONE,
        /** RFC 9796 Call-Info (icon, jCard, call reason). */
        CALL_INFO,
        /** The display name of P-Asserted-Identity (else From). */
        DISPLAY_NAME,
        /** Both. */
        BOTH;

        /** Whether Call-Info is added. */
        public boolean callInfo() {
            return this == CALL_INFO || this == BOTH;
        }

        /** Whether the display name is set. */
        public boolean displayName() {
            return this == DISPLAY_NAME || this == BOTH;
        }
    }

    /** Emergency numbers 911/933/urn:service:sos, blocks as 603 Decline, no priority, no branding, both shown. */
    public static final Family DEFAULT = new Family(Emergency.DEFAULT, Blocking.NONE, Set.of(), Branding.NONE, null,
            true, Presentation.BOTH);

    /** Copies. */
    public Family {
        priorities = Set.copyOf(priorities);
    }

    /** Whether the Resource-Priority value {@code v} ({@code ns.priority}) is in an authorised namespace. */
    public boolean authorised(String v) {
        int dot = v.indexOf('.');
        return dot > 0 && priorities.contains(v.substring(0, dot).toLowerCase(java.util.Locale.ROOT));
    }
}
