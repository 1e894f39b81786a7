package io.shakengate.proxy.identity;

import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.TnAuthList;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import io.shakengate.proxy.stir.SigningIdentity;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * Reads the signing identities the configuration names and checks each before it may sign: the key reads, the
 * chain (when given) parses, is valid now, its end entity holds this key and a TNAuthList, and a configured
 * scope lies within a delegate chain's numbers. Every refusal is an {@link IOException} naming the identity
 * and what is wrong; a reload that meets one changes nothing.
 */
public final class IdentityLoader {
    private IdentityLoader() {
    }

    /** The identities of {@code configs}, {@code defaultName} the default (null: the first), checked at {@code now}. */
    public static SigningIdentities load(List<IdentityConfig> configs, String defaultName, EcdsaProvider provider,
                                         long nowMillis) throws IOException {
        List<SigningIdentity> out = new ArrayList<>(configs.size());
        Map<String, String> paths = new HashMap<>();
        for (IdentityConfig c : configs) {
            SigningIdentity i = load(c, provider, nowMillis);
            if (!i.chain().isEmpty()) {
                String path = URI.create(c.x5u()).getRawPath();
                String other = paths.put(path, c.name());
                if (other != null) {
                    throw new IOException("signing identities '" + other + "' and '" + c.name()
                            + "' serve their chains at the same x5u path " + path);
                }
            }
            out.add(i);
        }
        return new SigningIdentities(out, defaultName);
    }

    /** One identity, checked at {@code now}. */
    public static SigningIdentity load(IdentityConfig c, EcdsaProvider provider, long nowMillis) throws IOException {
        String who = "signing identity '" + c.name() + "'";
        PrivateKey key;
        try {
            key = SigningKeys.readPrivateKey(c.key());
        } catch (NoSuchFileException e) {
            throw new IOException(who + ": key: no such file: " + c.key(), e);
        } catch (AccessDeniedException e) {
            throw new IOException(who + ": key: permission denied: " + c.key(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(who + ": key " + c.key() + ": " + e.getMessage(), e);
        }
        List<X509Certificate> chain = List.of();
        if (c.chain() != null) {
            try {
                chain = Pem.readCertificates(c.chain());
            } catch (NoSuchFileException e) {
                throw new IOException(who + ": chain: no such file: " + c.chain(), e);
            } catch (AccessDeniedException e) {
                throw new IOException(who + ": chain: permission denied: " + c.chain(), e);
            } catch (IllegalArgumentException e) {
                throw new IOException(who + ": chain: " + e.getMessage(), e);
            }
            String problem = problem(chain, key, null, nowMillis);
            if (problem != null) {
                throw new IOException(who + ": chain " + c.chain() + ": " + problem);
            }
        }
        TnAuthList scope = c.scope();
        TnAuthList certified = chain.isEmpty() ? null : TnAuthList.of(chain.get(0));
        if (certified != null && certified.delegate()) {
            if (scope != null && !certified.encompasses(scope)) {
                throw new IOException(who + ": scope " + text(scope) + " is not within the certificate's numbers "
                        + text(certified));
            }
            scope = scope == null ? certified : scope;
        }
        try {
            return new SigningIdentity(c.name(), new PassportSigner(new SignerPool(provider, key), c.x5u()), chain,
                    scope);
        } catch (IllegalArgumentException e) {
            throw new IOException(who + ": " + e.getMessage(), e);
        }
    }

    /**
     * What is wrong with {@code chain} as the chain of {@code key} (and, when {@code wanted} is not null, for
     * that TNAuthList) at {@code now}, or null when nothing is: empty, expired, not yet valid, another key,
     * no TNAuthList, another TNAuthList.
     */
    public static String problem(List<X509Certificate> chain, PrivateKey key, TnAuthList wanted, long nowMillis) {
        if (chain.isEmpty()) {
            return "no certificate";
        }
        for (X509Certificate x : chain) {
            if (x.getNotAfter().getTime() < nowMillis) {
                return "expired on " + utc(x.getNotAfter()) + " (" + x.getSubjectX500Principal().getName() + ")";
            }
            if (x.getNotBefore().getTime() > nowMillis) {
                return "not valid before " + utc(x.getNotBefore()) + " (" + x.getSubjectX500Principal().getName() + ")";
            }
        }
        X509Certificate ee = chain.get(0);
        if (!holds(ee.getPublicKey(), key)) {
            return "the certificate " + ee.getSubjectX500Principal().getName() + " is for another key than this "
                    + "identity's";
        }
        TnAuthList tn = TnAuthList.of(ee);
        if (tn == null) {
            return "the certificate has no TNAuthList";
        }
        if (wanted != null && !tn.equals(wanted)) {
            return "the certificate's TNAuthList is " + text(tn) + ", not the " + text(wanted) + " requested";
        }
        return null;
    }

    /** Whether {@code pub} is the public half of {@code key} (same encoded key, whatever the provider). */
    static boolean holds(PublicKey pub, PrivateKey key) {
        try {
            return java.util.Arrays.equals(SigningKeys.publicOf(key).getEncoded(), pub.getEncoded());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A TNAuthList as its configuration text. */
    public static String text(TnAuthList t) {
        List<String> parts = new ArrayList<>();
        t.spcs().forEach(s -> parts.add("spc:" + s));
        t.ranges().forEach(r -> parts.add(r.toString()));
        parts.addAll(t.numbers());
        return String.join(" ", parts);
    }

    private static String utc(Date d) {
        SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss 'UTC'");
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        return f.format(d);
    }
}
