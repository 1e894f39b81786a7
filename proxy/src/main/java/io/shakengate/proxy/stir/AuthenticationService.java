package io.shakengate.proxy.stir;

import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.passport.ShakenClaims;
import io.shakengate.proxy.cps.CpsClient;
import io.shakengate.proxy.metrics.ProxyCounters;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
 * <p>Immutable and thread-safe: one instance per configuration, swapped at a reload. Never blocks: a
 * publication to the CPS runs on the CPS client's executor and is only counted.
 */
public final class AuthenticationService {
    private final PassportSigner signer;
    private final AuthenticationPolicy policy;
    private final CpsClient publisher;

    /**
     * A service signing with {@code signer} (null: this appliance does not sign) by {@code policy},
     * publishing out-of-band PASSporTs with {@code publisher} (null: no CPS; out-of-band rules then deliver in
     * band).
     */
    public AuthenticationService(PassportSigner signer, AuthenticationPolicy policy, CpsClient publisher) {
        this.signer = signer;
        this.policy = policy;
        this.publisher = publisher;
    }

    /** The signer, or null. */
    public PassportSigner signer() {
        return signer;
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
        return signer != null;
    }

    /**
     * The decision for {@code facts} and, when it signs, the PASSporT: written into {@code scratch[0]}
     * (grown when too small; the front's own buffer, reused by its next call) and, for out-of-band delivery,
     * published without delaying the answer. Counted in {@code counts}.
     */
    public Authentication authenticate(CallFacts facts, ProxyCounters counts, byte[][] scratch) {
        if (signer == null) {
            return Authentication.none(Authentication.Outcome.NO_SIGNER, null);
        }
        AuthenticationPolicy.Decision d = policy.decision(facts.source(), facts.calling(), facts.firstCalled(),
                facts.trunk());
        AuthenticationPolicy.Action action = d.action();
        if (action == AuthenticationPolicy.Action.BLOCK) {
            return Authentication.none(Authentication.Outcome.BLOCKED, d.rule());
        }
        if (action.attestation() == null) {
            return Authentication.none(Authentication.Outcome.NOT_SIGNED, d.rule());
        }
        if (facts.identityPresent()) {
            counts.count(ProxyCounters.Event.IDENTITY_KEPT);
            return Authentication.none(Authentication.Outcome.IDENTITY_PRESENT, d.rule());
        }
        if (facts.calling() == null || facts.firstCalled() == null) {
            counts.count(ProxyCounters.Event.SIGN_SKIPPED_NO_TN);
            return Authentication.none(Authentication.Outcome.NO_NUMBERS, d.rule());
        }
        boolean requestDecides = d.fromHeaders() || facts.front() == CallFacts.Front.API;
        Attestation attestation = action.attestation();
        String origid = null;
        if (requestDecides) {
            Attestation asked = attestation(facts.requestedAttestation());
            attestation = asked != null ? asked : attestation;
            origid = origid(facts.requestedOrigid());
        }
        long iat = facts.iat() >= 0 ? facts.iat() : System.currentTimeMillis() / 1000;
        ShakenClaims claims = new ShakenClaims(attestation, facts.calling(), facts.called(), iat,
                origid != null ? origid : UUID.randomUUID().toString());
        int n = signer.writeIdentity(claims, scratch);
        counts.count(ProxyCounters.Event.SIGNED);
        boolean publish = d.delivery().outOfBand() && publisher != null;
        if (publish) {
            publish(scratch[0], n, facts.calling(), facts.firstCalled(), counts);
        }
        return new Authentication(Authentication.Outcome.SIGNED, d.rule(), attestation, d.delivery(), scratch[0], n,
                !publish || d.delivery().inBand(), publish);
    }

    /** Publishes the PASSporT part of the Identity value; the outcome is counted, the call does not wait. */
    private void publish(byte[] identity, int length, String orig, String dest, ProxyCounters counts) {
        int end = 0;
        while (end < length && identity[end] != ';') {
            end++;
        }
        String token = new String(identity, 0, end, StandardCharsets.US_ASCII);
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
