package io.shakengate.proxy.stir;

import io.shakengate.proxy.metrics.ProxyCounters;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The identities the authentication service signs with, and which one signs a call: the identity the matching
 * rule names (or the default identity), when it covers the calling number; otherwise the default identity,
 * when that covers it (counted {@code identity_fallback}: the carrier's own certificate signs for the
 * number its customer's delegate does not hold); otherwise none, and the call goes on unsigned (counted
 * {@code sign_out_of_scope}). An identity never signs for a number outside its scope.
 *
 * <p>Immutable: a reload or a renewal builds a new set and swaps it in whole.
 */
public final class SigningIdentities {
    private final Map<String, SigningIdentity> byName;
    private final SigningIdentity fallback;

    /** {@code identities} (at least one, names unique), of which {@code defaultName} (null: the first) is the default. */
    public SigningIdentities(List<SigningIdentity> identities, String defaultName) {
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("no signing identity");
        }
        Map<String, SigningIdentity> m = new LinkedHashMap<>();
        for (SigningIdentity i : identities) {
            if (m.put(i.name(), i) != null) {
                throw new IllegalArgumentException("two signing identities are named '" + i.name() + "'");
            }
        }
        this.byName = java.util.Collections.unmodifiableMap(m);
        this.fallback = defaultName == null ? identities.get(0) : m.get(defaultName);
        if (fallback == null) {
            throw new IllegalArgumentException("the default signing identity '" + defaultName + "' is not defined");
        }
    }

    /** One identity, the default. */
    public static SigningIdentities of(SigningIdentity only) {
        return new SigningIdentities(List.of(only), null);
    }

    /** The identity signing for {@code calling} when the rule names {@code wanted} (null: the default), or null. */
    public SigningIdentity choose(String wanted, String calling, ProxyCounters counts) {
        SigningIdentity first = wanted == null ? fallback : byName.get(wanted);
        if (first != null && first.covers(calling)) {
            return first;
        }
        if (first != fallback && fallback.covers(calling)) {
            counts.count(ProxyCounters.Event.IDENTITY_FALLBACK);
            return fallback;
        }
        counts.count(ProxyCounters.Event.SIGN_OUT_OF_SCOPE);
        return null;
    }

    /** The default identity. */
    public SigningIdentity defaultIdentity() {
        return fallback;
    }

    /** The identity named {@code name}, or null. */
    public SigningIdentity get(String name) {
        return byName.get(name);
    }

    /** Every identity, in configuration order. */
    public Collection<SigningIdentity> all() {
        return byName.values();
    }

    /** This set with {@code replacement} in place of the identity of the same name (a renewal). */
    public SigningIdentities with(SigningIdentity replacement) {
        if (!byName.containsKey(replacement.name())) {
            throw new IllegalArgumentException("no signing identity '" + replacement.name() + "'");
        }
        List<SigningIdentity> l = new ArrayList<>(byName.size());
        for (SigningIdentity i : byName.values()) {
            l.add(i.name().equals(replacement.name()) ? replacement : i);
        }
        return new SigningIdentities(l, fallback.name());
    }

    /** The chains served by the certificate repository: the path of each identity's x5u to its PEM chain. */
    public Map<String, byte[]> servedChains() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (SigningIdentity i : byName.values()) {
            if (!i.chain().isEmpty()) {
                StringBuilder pem = new StringBuilder();
                for (java.security.cert.X509Certificate c : i.chain()) {
                    try {
                        pem.append(io.shakengate.crypto.x509.Pem.armour("CERTIFICATE", c.getEncoded()));
                    } catch (java.security.cert.CertificateEncodingException e) {
                        throw new IllegalStateException(e);
                    }
                }
                m.put(java.net.URI.create(i.signer().x5u()).getRawPath(),
                        pem.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        return m;
    }
}
