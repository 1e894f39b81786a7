package io.shakengate.proxy.identity;

import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.proxy.config.IdentityConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import io.shakengate.proxy.stir.SigningIdentity;
import org.shredzone.acme4j.Identifier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Certificates that renew themselves: for each signing identity with an {@code acme} section, when the
 * configured fraction of its certificate's lifetime has passed ({@code renewAt}), a new P-256 key and an
 * ACME order for the identity's TNAuthList answered with the SPC token ({@link AcmeEnrollment}); the chain
 * issued is checked (valid now, for the new key, the TNAuthList asked for) before the key and chain files
 * are replaced (each written beside and moved over the old one), then the identity is read back from disk
 * and swapped in as a reload does. A failure replaces nothing: the working certificate stays, the next
 * attempt waits {@code retrySeconds}, doubled per failure up to an hour. Every attempt leaves one journal
 * line naming the identity; counted per identity and failure reason.
 *
 * <p>Attempts run on the caller's thread (the renewal thread, or the CLI), one identity at a time.
 */
public final class Renewals {
    private static final long MAX_BACKOFF_MILLIS = 3_600_000L;

    /** What is known about one identity's renewals. */
    static final class State {
        volatile long nextAttemptMillis;
        volatile int failuresInRow;
        volatile String lastError;
        volatile long lastRenewedMillis = -1;
        final AtomicLong renewals = new AtomicLong();
        final Map<AcmeEnrollment.Failure, AtomicLong> failures = new EnumMap<>(AcmeEnrollment.Failure.class);

        State() {
            for (AcmeEnrollment.Failure f : AcmeEnrollment.Failure.values()) {
                failures.put(f, new AtomicLong());
            }
        }
    }

    /** The outcome of one attempt. */
    public record Outcome(String identity, boolean renewed, String failure, String message) {
    }

    private final Supplier<SigningIdentities> current;
    private final Consumer<SigningIdentity> apply;
    private final LongSupplier clock;
    private final PrintStream out;
    private final PrintStream err;
    private final EcdsaProvider provider;
    private final Map<String, State> states = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<IdentityConfig> configs;

    /**
     * Renewals of the identities of {@code configs} that have an acme section; {@code current} gives the
     * identities in force, {@code apply} swaps a renewed one in; journal lines go to {@code out} and
     * {@code err}.
     */
    public Renewals(List<IdentityConfig> configs, Supplier<SigningIdentities> current, Consumer<SigningIdentity> apply,
                    LongSupplier clock, PrintStream out, PrintStream err) {
        this.current = current;
        this.apply = apply;
        this.clock = clock;
        this.out = out;
        this.err = err;
        this.provider = EcdsaProvider.selected();
        update(configs);
    }

    /** The identities as a reload configured them (the state of each name is kept). */
    public void update(List<IdentityConfig> next) {
        List<IdentityConfig> l = new ArrayList<>();
        for (IdentityConfig c : next) {
            if (c.acme() != null) {
                l.add(c);
                states.computeIfAbsent(c.name(), n -> new State());
            }
        }
        configs = List.copyOf(l);
    }

    /** When {@code id}'s certificate is due for renewal (epoch ms), or -1 without a chain. */
    static long dueMillis(SigningIdentity id, double renewAt) {
        long from = id.notBeforeMillis();
        long to = id.notAfterMillis();
        return from < 0 ? -1 : from + (long) ((to - from) * renewAt);
    }

    /** Renews every identity that is due and not waiting after a failure; their outcomes. */
    public List<Outcome> renewDue() {
        List<Outcome> done = new ArrayList<>();
        long now = clock.getAsLong();
        for (IdentityConfig c : configs) {
            State s = states.get(c.name());
            SigningIdentity id = current.get() == null ? null : current.get().get(c.name());
            long due = id == null ? 0 : dueMillis(id, c.acme().renewAt());
            if (now >= due && now >= s.nextAttemptMillis) {
                done.add(renew(c));
            }
        }
        return done;
    }

    /** Renews the identity {@code name} now, due or not. */
    public Outcome renew(String name) {
        for (IdentityConfig c : configs) {
            if (c.name().equals(name)) {
                return renew(c);
            }
        }
        return new Outcome(name, false, "unknown", "no signing identity '" + name + "' renews through ACME");
    }

    private Outcome renew(IdentityConfig c) {
        State s = states.get(c.name());
        String who = "certificate renewal: identity '" + c.name() + "'";
        try {
            SigningIdentity renewed = attempt(c);
            apply.accept(renewed);
            s.failuresInRow = 0;
            s.lastError = null;
            s.nextAttemptMillis = 0;
            s.lastRenewedMillis = clock.getAsLong();
            s.renewals.incrementAndGet();
            String msg = "renewed: " + renewed.chain().get(0).getSubjectX500Principal().getName() + ", serial "
                    + renewed.chain().get(0).getSerialNumber().toString(16) + ", valid until "
                    + Instant.ofEpochMilli(renewed.notAfterMillis()) + ", served at " + c.x5u();
            out.println(who + " " + msg);
            return new Outcome(c.name(), true, null, msg);
        } catch (AcmeEnrollment.EnrollmentException e) {
            return failed(c, s, who, e.failure, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(c, s, who, AcmeEnrollment.Failure.ACME_TIMEOUT, "interrupted");
        }
    }

    private Outcome failed(IdentityConfig c, State s, String who, AcmeEnrollment.Failure f, String message) {
        s.failures.get(f).incrementAndGet();
        int n = ++s.failuresInRow;
        long wait = Math.min(MAX_BACKOFF_MILLIS, c.acme().retrySeconds() * 1000L << Math.min(n - 1, 20));
        s.nextAttemptMillis = clock.getAsLong() + wait;
        s.lastError = f.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
        err.println(who + " failed (" + f.name().toLowerCase(java.util.Locale.ROOT) + "): " + message
                + "; the current certificate stays; next attempt in " + wait / 1000 + " s");
        return new Outcome(c.name(), false, f.name().toLowerCase(java.util.Locale.ROOT), message);
    }

    private SigningIdentity attempt(IdentityConfig c) throws AcmeEnrollment.EnrollmentException, InterruptedException {
        IdentityConfig.Acme acme = c.acme();
        javax.net.ssl.SSLContext tls;
        KeyPair account;
        try {
            tls = acme.trust() == null ? null : io.shakengate.proxy.transport.TrustedCas.tls(acme.trust());
            account = accountKey(acme.accountKey());
        } catch (IOException e) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.WRITE_FAILED, e.getMessage(), e);
        }
        String token = SpcTokens.token(acme, account.getPublic(), tls);
        KeyPair key = CertificateRequests.newKeyPair();
        SigningIdentity was = current.get() == null ? null : current.get().get(c.name());
        String subject = was != null && !was.chain().isEmpty()
                ? was.chain().get(0).getSubjectX500Principal().getName()
                : acme.tnAuthList().delegate() ? "CN=" + c.name() : "CN=SHAKEN " + acme.tnAuthList().spcs().get(0);
        byte[] csr = CertificateRequests.csrDer(key, subject, acme.tnAuthList());
        Duration timeout = Duration.ofSeconds(acme.timeoutSeconds());
        List<X509Certificate> chain = AcmeEnrollment.order(AcmeEnrollment.session(acme.directory(), tls, timeout,
                token), account, acme.contact(), new AcmeEnrollment.Request(new Identifier("TNAuthList",
                SpcTokens.identifierValue(acme.tnAuthList())), TkAuthChallenge.TYPE, token), csr, timeout);
        String problem = IdentityLoader.problem(chain, key.getPrivate(), acme.tnAuthList(), clock.getAsLong());
        if (problem != null) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.CHAIN_REFUSED,
                    "the chain issued is refused: " + problem, null);
        }
        try {
            StringBuilder pem = new StringBuilder();
            for (X509Certificate x : chain) {
                pem.append(Pem.armour("CERTIFICATE", x.getEncoded()));
            }
            // both written in full beside their files first, then moved over them one after the other
            Path keyTmp = staged(c.key(), CertificateRequests.privateKeyPem(key), true);
            Path chainTmp;
            try {
                chainTmp = staged(c.chain(), pem.toString(), false);
            } catch (IOException e) {
                Files.deleteIfExists(keyTmp);
                throw e;
            }
            Files.move(keyTmp, c.key(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(chainTmp, c.chain(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return IdentityLoader.load(c, provider, clock.getAsLong());
        } catch (IOException | java.security.cert.CertificateEncodingException e) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.WRITE_FAILED,
                    "the new key and chain cannot be written: " + e.getMessage(), e);
        }
    }

    /** The ACME account key at {@code file}, made (P-256, mode 0600) when absent. */
    static KeyPair accountKey(Path file) throws IOException {
        if (!Files.exists(file)) {
            KeyPair k = CertificateRequests.newKeyPair();
            write(file, CertificateRequests.privateKeyPem(k), true);
            return k;
        }
        java.security.PrivateKey priv = SigningKeys.readPrivateKey(file);
        try {
            return new KeyPair(SigningKeys.publicOf(priv), priv);
        } catch (IllegalArgumentException e) {
            throw new IOException("the ACME account key " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} beside {@code file} and moves it over it in one step; {@code secret}: mode 0600. */
    static void write(Path file, String text, boolean secret) throws IOException {
        Path tmp = staged(file, text, secret);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code text} in a new file beside {@code file} (same directory, so a move is atomic); {@code secret}: 0600. */
    private static Path staged(Path file, String text, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".new");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: its defaults apply
                }
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            return tmp;
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The Prometheus lines: seconds to expiry of every identity's certificate, renewals, failures by reason. */
    public String metrics() {
        StringBuilder b = new StringBuilder();
        SigningIdentities ids = current.get();
        b.append("# HELP shakengate_certificate_expiry_seconds Time until the signing identity's certificate expires "
                + "(days: divide by 86400).\n").append("# TYPE shakengate_certificate_expiry_seconds gauge\n");
        if (ids != null) {
            for (SigningIdentity i : ids.all()) {
                if (!i.chain().isEmpty()) {
                    b.append("shakengate_certificate_expiry_seconds{identity=\"").append(i.name()).append("\"} ")
                            .append((i.notAfterMillis() - clock.getAsLong()) / 1000).append('\n');
                }
            }
        }
        b.append("# HELP shakengate_certificate_renewals_total Certificates renewed through ACME.\n")
                .append("# TYPE shakengate_certificate_renewals_total counter\n");
        for (Map.Entry<String, State> e : new java.util.TreeMap<>(states).entrySet()) {
            b.append("shakengate_certificate_renewals_total{identity=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().renewals.get()).append('\n');
        }
        b.append("# HELP shakengate_certificate_renewal_failures_total Failed renewal attempts, by reason.\n")
                .append("# TYPE shakengate_certificate_renewal_failures_total counter\n");
        for (Map.Entry<String, State> e : new java.util.TreeMap<>(states).entrySet()) {
            for (Map.Entry<AcmeEnrollment.Failure, AtomicLong> f : e.getValue().failures.entrySet()) {
                b.append("shakengate_certificate_renewal_failures_total{identity=\"").append(e.getKey())
                        .append("\",reason=\"").append(f.getKey().name().toLowerCase(java.util.Locale.ROOT))
                        .append("\"} ").append(f.getValue().get()).append('\n');
            }
        }
        return b.toString();
    }

    /** One line per renewing identity: due time, last renewal, failures in a row, last error. */
    public Map<String, String> status() {
        Map<String, String> m = new LinkedHashMap<>();
        for (IdentityConfig c : configs) {
            State s = states.get(c.name());
            SigningIdentity id = current.get() == null ? null : current.get().get(c.name());
            long due = id == null ? -1 : dueMillis(id, c.acme().renewAt());
            m.put(c.name(), "renews at " + (due < 0 ? "once it has a certificate" : Instant.ofEpochMilli(due))
                    + (s.lastRenewedMillis < 0 ? "" : ", last renewed " + Instant.ofEpochMilli(s.lastRenewedMillis))
                    + (s.failuresInRow == 0 ? "" : ", " + s.failuresInRow + " failure(s) in a row, next attempt "
                    + Instant.ofEpochMilli(s.nextAttemptMillis) + ", last: " + s.lastError));
        }
        return m;
    }
}
