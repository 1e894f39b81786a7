package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.proxy.cps.CpsClient;
import io.shakengate.proxy.metrics.ProxyCounters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The STIR authentication service (RFC 8224 section 6.1, ATIS-1000074): for the facts of one call, the
 * authentication policy's decision (the first matching rule, else the default), then the signed SHAKEN
 * PASSporT and its delivery (in the Identity header, published to the Call Placement Service(s), or both).
 * Every front (SIP proxy, SIP redirect, HTTP API) asks this one; none decides for itself.
 *
 * <p>Where the attestation comes from: the matching rule's, unless the rule trusts the request's
 * ({@code fromHeaders}: SIP Attestation-Info and Origination-Id, 3GPP TS 24.229) or the request comes from the
 * HTTP API, whose {@code attest} and {@code origid} are the softswitch's own decision (ATIS-1000082); a rule
 * that blocks or does not sign still applies to the API.
 *
 * <p>Which identity signs: the one the matching rule names, by {@link SigningIdentities#choose} (the default
 * when it does not cover the calling number; unsigned when none does). Every PASSporT of a call (shaken, div,
 * rcd, rph) is signed with the same identity.
 *
 * <p>Immutable and thread-safe: one instance per configuration, swapped at a reload or a renewal. Never
 * blocks: a publication to the CPS runs on the CPS client's executor and is only counted.
 */
public final class AuthenticationService {
    private final SigningIdentities identities;
    private final AuthenticationPolicy policy;
    private final CpsClient publisher;
    private final Family family;
    private final Decisions decisions;

    /**
     * A service signing with {@code signer} (null: this appliance does not sign) by {@code policy},
     * publishing out-of-band PASSporTs with {@code publisher} (null: no CPS; out-of-band rules then deliver in
     * band).
     */
    public AuthenticationService(PassportSigner signer, AuthenticationPolicy policy, CpsClient publisher) {
        this(signer, policy, publisher, Family.DEFAULT);
    }

    /** A service as above, signing the PASSporT family and answering blocks by {@code family}. */
    public AuthenticationService(PassportSigner signer, AuthenticationPolicy policy, CpsClient publisher,
                                 Family family) {
        this(signer == null ? null : SigningIdentities.of(new SigningIdentity("default", signer, List.of(), null)),
                policy, publisher, family);
    }

    /** A service signing with {@code identities} (null: this appliance does not sign), as above. */
    public AuthenticationService(SigningIdentities identities, AuthenticationPolicy policy, CpsClient publisher,
                                 Family family) {
        this(identities, policy, publisher, family, Decisions.NONE);
    }

    private AuthenticationService(SigningIdentities identities, AuthenticationPolicy policy, CpsClient publisher,
                                  Family family, Decisions decisions) {
        this.decisions = decisions;
        this.identities = identities;
        this.policy = policy;
        this.publisher = publisher;
        this.family = family;
    }

    /** This service with the family settings {@code f}. */
    public AuthenticationService withFamily(Family f) {
        return new AuthenticationService(identities, policy, publisher, f, decisions);
    }

    /** This service signing with {@code next} (a renewal: the same policy, new keys or chains). */
    public AuthenticationService withIdentities(SigningIdentities next) {
        return new AuthenticationService(next, policy, publisher, family, decisions);
    }

    /** This service reporting each decision to {@code d} (the decision log). */
    public AuthenticationService withDecisions(Decisions d) {
        return new AuthenticationService(identities, policy, publisher, family, d);
    }

    /** The signing identities, or null. */
    public SigningIdentities identities() {
        return identities;
    }

    /** The family settings. */
    public Family family() {
        return family;
    }

    /** The default identity's signer (CPS tokens are signed with it), or null. */
    public PassportSigner signer() {
        return identities == null ? null : identities.defaultIdentity().signer();
    }

    /** The policy. */
    public AuthenticationPolicy policy() {
        return policy;
    }

    /** The CPS client publishing out-of-band PASSporTs, or null. */
    public CpsClient publisher() {
        return publisher;
    }

    /** Whether this appliance signs at all. */
    public boolean signs() {
        return identities != null;
    }

    /**
     * The decision for {@code facts} and, when it signs, the PASSporT: written into {@code scratch[0]}
     * (grown when too small; the front's own buffer, reused by its next call) and, for out-of-band delivery,
     * published without delaying the answer. Counted in {@code counts}.
     */
    public Authentication authenticate(CallFacts facts, ProxyCounters counts, byte[][] scratch) {
        String[] by = new String[1];
        Authentication a = decide(facts, counts, scratch, by);
        decisions.authenticated(facts, a, by[0], counts);
        return a;
    }

    /** The decision; the name of the identity that signed in {@code by[0]}. */
    private Authentication decide(CallFacts facts, ProxyCounters counts, byte[][] scratch, String[] by) {
        if (identities == null) {
            return Authentication.none(Authentication.Outcome.NO_SIGNER, null);
        }
        AuthenticationPolicy.Decision d = policy.decision(facts.source(), facts.calling(), facts.firstCalled(),
                facts.trunk());
        AuthenticationPolicy.Action action = d.action();
        if (action.blocks()) {
            if (!family.emergency().matches(facts.called(), facts.target())) {
                counts.count(action == AuthenticationPolicy.Action.BLOCK_DNO ? ProxyCounters.Event.BLOCKED_DNO
                        : ProxyCounters.Event.BLOCKED_ANALYTICS);
                return Authentication.blocked(d.rule(), action == AuthenticationPolicy.Action.BLOCK_DNO
                        ? family.blocking().dno() : family.blocking().analytics());
            }
            // an emergency call is never blocked: the default applies (signed if it signs)
            counts.count(ProxyCounters.Event.EMERGENCY_NOT_REFUSED);
            action = policy.defaultAction().blocks() ? AuthenticationPolicy.Action.NO_SIGN : policy.defaultAction();
        }
        if (action.attestation() == null) {
            return Authentication.none(Authentication.Outcome.NOT_SIGNED, d.rule());
        }
        long iat = facts.iat() >= 0 ? facts.iat() : System.currentTimeMillis() / 1000;
        if (facts.identityPresent()) {
            counts.count(ProxyCounters.Event.IDENTITY_KEPT);
            // a call diverted here that already carries an Identity gets a div PASSporT (RFC 8946 section 4),
            // signed by an identity holding the number it was diverted from
            SigningIdentity divBy = diverted(facts) ? identities.choose(d.identity(), facts.diversion(), counts) : null;
            by[0] = divBy == null ? null : divBy.name();
            String div = divBy == null ? null : div(divBy.signer(), facts, iat, counts);
            return Authentication.kept(d.rule(), div == null ? List.of() : List.of(div));
        }
        if (facts.calling() == null || facts.firstCalled() == null) {
            counts.count(ProxyCounters.Event.SIGN_SKIPPED_NO_TN);
            return Authentication.none(Authentication.Outcome.NO_NUMBERS, d.rule());
        }
        SigningIdentity chosen = identities.choose(d.identity(), facts.calling(), counts);
        if (chosen == null) {
            return Authentication.none(Authentication.Outcome.OUT_OF_SCOPE, d.rule());
        }
        by[0] = chosen.name();
        PassportSigner signer = chosen.signer();
        boolean requestDecides = d.fromHeaders() || facts.front() == CallFacts.Front.API;
        Attestation attestation = action.attestation();
        String origid = null;
        if (requestDecides) {
            Attestation asked = attestation(facts.requestedAttestation());
            attestation = asked != null ? asked : attestation;
            origid = origid(facts.requestedOrigid());
        }
        // a diverted call: the SHAKEN PASSporT names the number first called, a div PASSporT the new target
        boolean diverted = diverted(facts);
        List<String> dest = diverted ? List.of(facts.diversion()) : facts.called();
        ShakenClaims claims = new ShakenClaims(attestation, facts.calling(), dest, iat,
                origid != null ? origid : UUID.randomUUID().toString());
        int n = signer.writeIdentity(claims, scratch);
        counts.count(ProxyCounters.Event.SIGNED);
        // the div PASSporT is the retargeting provider's: signed by an identity holding the number diverted from
        SigningIdentity divBy = !diverted ? null : chosen.covers(facts.diversion()) ? chosen
                : identities.choose(d.identity(), facts.diversion(), counts);
        List<String> more = family(signer, divBy == null ? null : divBy.signer(), facts, dest, iat, diverted, counts);
        boolean publish = d.delivery().outOfBand() && publisher != null;
        if (publish) {
            String token = token(scratch[0], n);
            publish(signer, token, facts.calling(), dest.get(0), counts);
            if (diverted && divBy != null) {
                // out of band, a diverted call is looked up under the number it goes to now: a div-o there
                // carries the SHAKEN PASSporT, published under the number first called (RFC 8946 section 6)
                publish(divBy.signer(), token(divO(divBy.signer(), facts, iat, token, counts)), facts.calling(),
                        facts.firstCalled(), counts);
            }
        }
        return new Authentication(Authentication.Outcome.SIGNED, d.rule(), attestation, d.delivery(), scratch[0], n,
                !publish || d.delivery().inBand(), publish, more, null);
    }

    /** Whether the call was diverted to another number and a div PASSporT is signed for it. */
    private boolean diverted(CallFacts facts) {
        return family.signDiv() && facts.diversion() != null && facts.calling() != null
                && facts.firstCalled() != null && !facts.diversion().equals(facts.firstCalled());
    }

    /** A div PASSporT (RFC 8946) for a diverted call, or null. */
    private String div(PassportSigner signer, CallFacts facts, long iat, ProxyCounters counts) {
        if (!diverted(facts)) {
            return null;
        }
        counts.count(ProxyCounters.Event.SIGNED_DIV);
        return signer.identity("div", Map.of("orig", Map.of("tn", facts.calling()), "dest",
                Map.of("tn", facts.called()), "div", Map.of("tn", facts.diversion()), "iat", iat));
    }

    /**
     * The other PASSporTs of a call signed here: div for a diverted call, rcd for a branded calling number
     * (RFC 9795: {@code nam}, the logo as {@code icn} with its {@code rcdi} digest), rph for the request's
     * Resource-Priority values in an authorised namespace (RFC 8443).
     */
    private List<String> family(PassportSigner signer, PassportSigner divSigner, CallFacts facts, List<String> dest,
                                long iat, boolean diverted, ProxyCounters counts) {
        List<String> out = new ArrayList<>(0);
        if (diverted && divSigner != null) {
            out.add(div(divSigner, facts, iat, counts));
        }
        Branding.Brand brand = family.branding().of(facts.calling());
        if (brand != null) {
            Map<String, Object> rcd = new LinkedHashMap<>();
            rcd.put("nam", brand.name());
            Map<String, Object> claims = new LinkedHashMap<>();
            if (brand.logo() != null) {
                rcd.put("icn", brand.logo());
                claims.put("rcdi", Map.of("/icn", brand.logoDigest()));
            }
            claims.put("orig", Map.of("tn", facts.calling()));
            claims.put("dest", Map.of("tn", dest));
            claims.put("iat", iat);
            claims.put("rcd", rcd);
            out.add(signer.identity("rcd", claims));
            counts.count(ProxyCounters.Event.SIGNED_RCD);
        }
        List<String> auth = new ArrayList<>(0);
        for (String p : facts.priorities()) {
            if (family.authorised(p)) {
                auth.add(p);
            }
        }
        if (!auth.isEmpty()) {
            out.add(signer.identity("rph", Map.of("orig", Map.of("tn", facts.calling()), "dest",
                    Map.of("tn", facts.called()), "iat", iat, "rph", Map.of("auth", auth))));
            counts.count(ProxyCounters.Event.SIGNED_RPH);
        }
        return out;
    }

    /** A div-o PASSporT (RFC 8946 section 6) for a diverted call: the div claims, and {@code passport} as opt. */
    private static String divO(PassportSigner signer, CallFacts facts, long iat, String passport,
                               ProxyCounters counts) {
        counts.count(ProxyCounters.Event.SIGNED_DIV_O);
        return signer.identity("div-o", Map.of("orig", Map.of("tn", facts.calling()), "dest",
                Map.of("tn", facts.called()), "div", Map.of("tn", facts.diversion()), "iat", iat, "opt", passport));
    }

    /** The PASSporT part of the Identity value in {@code identity[0, length)}. */
    private static String token(byte[] identity, int length) {
        int end = 0;
        while (end < length && identity[end] != ';') {
            end++;
        }
        return new String(identity, 0, end, StandardCharsets.US_ASCII);
    }

    /** The PASSporT part of the Identity value {@code identity}. */
    private static String token(String identity) {
        int semi = identity.indexOf(';');
        return semi < 0 ? identity : identity.substring(0, semi);
    }

    /** Publishes {@code token}; the outcome is counted, the call does not wait. */
    private void publish(PassportSigner signer, String token, String orig, String dest, ProxyCounters counts) {
        publisher.publish(signer, orig, dest, token).thenAccept(ok -> counts.count(ok
                ? ProxyCounters.Event.OOB_PUBLISHED : ProxyCounters.Event.OOB_PUBLISH_FAILED));
    }

    /** A, B or C (surrounding blanks ignored), else null. */
    static Attestation attestation(String v) {
        if (v == null) {
            return null;
        }
        return switch (v.trim()) {
            case "A" -> Attestation.A;
            case "B" -> Attestation.B;
            case "C" -> Attestation.C;
            default -> null;
        };
    }

    /** A UUID in its canonical text (any case), lower-cased; else null (a new one is made). */
    static String origid(String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        try {
            return UUID.fromString(t).toString().equalsIgnoreCase(t) ? t.toLowerCase(Locale.ROOT) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
