package io.shakengate.proxy.stir;

import io.shakengate.crypto.PassportVerifier;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.VerificationResult;
import io.shakengate.crypto.cache.CertificateFetcher;
import io.shakengate.crypto.passport.RichCallData;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rules of the PASSporT family that need more than one token or a fetch, for the verification service:
 * <ul>
 *   <li><b>div chain</b> (RFC 8946 section 6): starting from the {@code dest} of the SHAKEN PASSporT that
 *       passed, a verified div PASSporT is chained when its {@code div} is one of the destinations reached so
 *       far; its {@code dest} then joins them. A verified div that never chains is DIV_UNCHAINED.</li>
 *   <li><b>rcdi content</b> (RFC 9795 section 6): each URL element an {@code rcdi} digest covers is fetched
 *       (the x5u URL rules, through the bounded, SSRF-checked fetcher) and hashed; a different digest is
 *       RCDI_MISMATCH, a failed fetch RCD_CONTENT_UNAVAILABLE. Fetched digests are remembered for
 *       {@link #CONTENT_SECONDS} (at most {@link #CONTENT_REMEMBERED} URLs; beyond, the memory starts again).</li>
 * </ul>
 * Thread-safe.
 */
final class FamilyChecks {
    /** How long a fetched content digest is remembered. */
    static final long CONTENT_SECONDS = 300;
    /** How many content URLs are remembered. */
    static final int CONTENT_REMEMBERED = 4096;

    /** What was fetched: the SRI values of the body (sha256, sha384, sha512), or a failure. */
    private record Content(Set<String> integrity, String failure, long until) {
        static Content of(byte[] body, long until) {
            return new Content(Set.of(RichCallData.integrity("sha256", body), RichCallData.integrity("sha384", body),
                    RichCallData.integrity("sha512", body)), null, until);
        }
    }

    private final CertificateFetcher fetcher;
    private final PassportVerifier.Config urlRules;
    private final Map<String, CompletableFuture<Content>> contents = new ConcurrentHashMap<>();

    FamilyChecks(CertificateFetcher fetcher, PassportVerifier.Config urlRules) {
        this.fetcher = fetcher;
        this.urlRules = urlRules;
    }

    /** Whether rcdi digests are checked at all. */
    boolean checksContent() {
        return fetcher != null;
    }

    /**
     * The verified div checks among {@code all[from, to)}, each chained to {@code shakenDest} or marked
     * DIV_UNCHAINED (in place); returns every destination the chain reaches (the SHAKEN ones included), which
     * must contain the request's called number for the call to pass.
     */
    static Set<String> chain(List<Verification.Checked> all, int from, int to, List<String> shakenDest) {
        Set<String> reached = new HashSet<>(shakenDest);
        boolean[] chained = new boolean[to - from];
        boolean grew = true;
        while (grew) {
            grew = false;
            for (int i = from; i < to; i++) {
                VerificationResult r = all.get(i).result();
                if (!chained[i - from] && r.passed() && r.divTn() != null && reached.contains(r.divTn())) {
                    chained[i - from] = true;
                    List<String> dest = dests(r.claims());
                    reached.addAll(dest);
                    grew = true;
                }
            }
        }
        for (int i = from; i < to; i++) {
            Verification.Checked c = all.get(i);
            if (c.result().passed() && !chained[i - from]) {
                all.set(i, new Verification.Checked(c.source(), c.ppt(),
                        c.result().failing(VerificationFailure.DIV_UNCHAINED)));
            }
        }
        return reached;
    }

    /** {@code dest.tn} of verified claims (empty when absent). */
    @SuppressWarnings("unchecked")
    static List<String> dests(Map<String, Object> claims) {
        if (claims != null && claims.get("dest") instanceof Map<?, ?> d && d.get("tn") instanceof List<?> l) {
            List<String> out = new ArrayList<>(l.size());
            for (Object o : l) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
            return out;
        }
        return List.of();
    }

    /** {@code r} (a verified rcd) with its rcdi digests checked against the content they cover. */
    CompletableFuture<VerificationResult> content(VerificationResult r) {
        RichCallData data = RichCallData.of(r.claims());
        if (data == null || data.rcdi().isEmpty() || fetcher == null) {
            return CompletableFuture.completedFuture(r);
        }
        List<CompletableFuture<VerificationFailure>> each = new ArrayList<>(data.rcdi().size());
        for (String element : data.rcdi().keySet()) {
            String url = element.equals("icn") ? data.icn() : data.jcl();
            if (url == null || !PassportVerifier.isAcceptableUrl(urlRules, url)) {
                each.add(CompletableFuture.completedFuture(VerificationFailure.RCD_CONTENT_UNAVAILABLE));
                continue;
            }
            String expected = data.rcdi().get(element);
            each.add(fetch(url).thenApply(c -> c.integrity() == null ? VerificationFailure.RCD_CONTENT_UNAVAILABLE
                    : c.integrity().contains(expected) ? null : VerificationFailure.RCDI_MISMATCH));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (CompletableFuture<VerificationFailure> f : each) {
                if (f.join() != null) {
                    return r.failing(f.join());
                }
            }
            return r;
        });
    }

    private CompletableFuture<Content> fetch(String url) {
        long now = System.currentTimeMillis();
        CompletableFuture<Content> known = contents.get(url);
        if (known != null && (!known.isDone() || known.join().until() > now)) {
            return known;
        }
        if (contents.size() >= CONTENT_REMEMBERED) {
            contents.clear();
        }
        CompletableFuture<Content> f = fetcher.fetch(url).handle((resp, e) -> resp == null || resp.body() == null
                ? new Content(null, resp == null ? String.valueOf(e) : resp.failure(), now + 30_000)
                : Content.of(resp.body(), now + CONTENT_SECONDS * 1000));
        contents.put(url, f);
        return f;
    }
}
