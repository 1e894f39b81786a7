package io.shakengate.proxy.stir;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How blocked calls are answered (the {@code blocking} settings).
 *
 * <p>A block on analytics is answered with ATIS-1000099 "603+": status line {@code 603 Network Blocked} and
 * <pre>
 *   Reason: SIP;cause=603;text="v=analytics1;url=URL;tel=TEL;email=EMAIL";location=LOC
 * </pre>
 * with the redress contacts that are configured, in that order (at least one is required for 603+), and the
 * location code of the blocking network ({@code RLN} by default: the public network serving the remote user,
 * as the caller sees a terminating block). The text is the form carriers pass on today (Telnyx, Twilio,
 * Asterisk's NetworkBlocking): the ATIS original was not at hand, so the form is written down here and in the
 * README. Without a redress contact an analytics block is a plain {@code 603 Decline}. A Do-Not-Originate
 * block is always {@code 603 Decline} (603+ is for analytics only). 608 Rejected (RFC 8688) carries
 * {@code Call-Info: <URL>;purpose=jwscard} when {@code jwscard} is configured.
 *
 * @param location the location code (U, LPN, LN, TN, RLN, RPN, BI)
 * @param url      the redress web page, or null
 * @param tel      the redress telephone number, or null
 * @param email    the redress e-mail address, or null
 * @param jwscard  the URL of the RFC 8688 jCard JWS for 608, or null
 * @param serveJwscard whether the certificate repository serves that JWS itself (at the URL's path, signed
 *                     with the default identity, re-signed when older than {@link #JWSCARD_SECONDS} s)
 * @param name     the name (FN) of the jCard it serves, or null ("Call blocking redress")
 */
public record Blocking(String location, String url, String tel, String email, String jwscard,
                       boolean serveJwscard, String name) {
    /** How long a served jCard JWS is kept before it is signed again (receivers reject one about a minute old). */
    public static final int JWSCARD_SECONDS = 30;

    /** Contacts without a jCard served here. */
    public Blocking(String location, String url, String tel, String email, String jwscard) {
        this(location, url, tel, email, jwscard, false, null);
    }

    /** The jCard (RFC 7095) of the redress contacts: FN, URL, TEL, EMAIL as configured. */
    public String jcard() {
        StringBuilder b = new StringBuilder("[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",");
        io.shakengate.crypto.passport.Json.quote(b, name == null ? "Call blocking redress" : name).append(']');
        if (url != null) {
            io.shakengate.crypto.passport.Json.quote(b.append(",[\"url\",{},\"uri\","), url).append(']');
        }
        if (tel != null) {
            io.shakengate.crypto.passport.Json.quote(b.append(",[\"tel\",{\"type\":\"work\"},\"uri\","),
                    tel.startsWith("tel:") ? tel : "tel:" + tel).append(']');
        }
        if (email != null) {
            io.shakengate.crypto.passport.Json.quote(b.append(",[\"email\",{},\"text\","), email).append(']');
        }
        return b.append("]]").toString();
    }
    /** Q.850 location codes. */
    public static final Set<String> LOCATIONS = Set.of("U", "LPN", "LN", "TN", "RLN", "RPN", "BI");
    /** No redress contact: analytics blocks are 603 Decline. */
    public static final Blocking NONE = new Blocking("RLN", null, null, null, null, false, null);

    /** Checks the location code and the contacts (no quote, semicolon or line break in them). */
    public Blocking {
        if (!LOCATIONS.contains(location)) {
            throw new IllegalArgumentException("blocking.location must be one of U, LPN, LN, TN, RLN, RPN, BI, was '"
                    + location + "'");
        }
        for (String v : new String[] {url, tel, email, jwscard}) {
            if (v != null && (v.isBlank() || v.chars().anyMatch(c -> c == '"' || c == ';' || c < 0x21))) {
                throw new IllegalArgumentException("a blocking contact may not be empty or hold quotes, semicolons"
                        + " or blanks: '" + v + "'");
            }
        }
    }

    /** Whether 603+ can be sent (a redress contact is configured). */
    public boolean networkBlocked() {
        return url != null || tel != null || email != null;
    }

    /** The answer to a block on analytics. */
    public Refusal analytics() {
        if (!networkBlocked()) {
            return new Refusal(603, "Decline", List.of(), Refusal.Kind.ANALYTICS);
        }
        StringBuilder text = new StringBuilder("SIP;cause=603;text=\"v=analytics1");
        if (url != null) {
            text.append(";url=").append(url);
        }
        if (tel != null) {
            text.append(";tel=").append(tel);
        }
        if (email != null) {
            text.append(";email=").append(email);
        }
        text.append("\";location=").append(location);
        return new Refusal(603, "Network Blocked", List.of(new Refusal.Header("Reason", text.toString())),
                Refusal.Kind.ANALYTICS);
    }

    /** The answer to a Do-Not-Originate block. */
    public Refusal dno() {
        return new Refusal(603, "Decline", List.of(), Refusal.Kind.DNO);
    }

    /** The answer 608 Rejected. */
    public Refusal rejected() {
        List<Refusal.Header> h = new ArrayList<>(1);
        if (jwscard != null) {
            h.add(new Refusal.Header("Call-Info", "<" + jwscard + ">;purpose=jwscard"));
        }
        return new Refusal(608, "Rejected", h, Refusal.Kind.REJECTED_608);
    }
}
