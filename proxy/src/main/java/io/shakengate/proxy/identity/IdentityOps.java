package io.shakengate.proxy.identity;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.shakengate.proxy.CertificateRepository;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.config.ApplianceConfig;
import io.shakengate.proxy.config.RepositoryConfig;
import io.shakengate.proxy.stir.SigningIdentities;
import io.shakengate.proxy.transport.Transports;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the appliance does with its signing identities beside signing: the certificate repository serving
 * each identity's chain at its x5u path, kept in step with the identities in force after every reload and
 * renewal; and the renewals ({@link Renewals}), checked every {@value #CHECK_SECONDS} s on their own thread.
 */
public final class IdentityOps implements AutoCloseable {
    /** How often the renewal thread looks for identities that are due. */
    public static final int CHECK_SECONDS = 60;
    private final RepositoryConfig repositoryConfig;
    private final CertificateRepository repository;
    private final AtomicReference<ServiceConfig> services;
    private final Object lock;
    private final Renewals renewals;
    private final java.util.concurrent.ScheduledExecutorService renewer;

    private IdentityOps(RepositoryConfig repositoryConfig, CertificateRepository repository,
                        AtomicReference<ServiceConfig> services, Object lock, ApplianceConfig config) {
        this.repositoryConfig = repositoryConfig;
        this.repository = repository;
        this.services = services;
        this.lock = lock;
        this.renewals = new Renewals(config.signing() == null ? java.util.List.of() : config.signing().identities(),
                () -> identities(services.get()), this::swapIn, System::currentTimeMillis, System.out, System.err);
        this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cert-renewal");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleWithFixedDelay(() -> {
            try {
                renewals.renewDue();
            } catch (RuntimeException e) {
                System.err.println("certificate renewal check failed: " + e);
            }
        }, 5, CHECK_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static SigningIdentities identities(ServiceConfig s) {
        return s == null || s.authentication() == null ? null : s.authentication().identities();
    }

    /** Swaps a renewed identity into the services in force, under the reload lock, and serves its chain. */
    private void swapIn(io.shakengate.proxy.stir.SigningIdentity renewed) {
        synchronized (lock) {
            services.updateAndGet(s -> {
                SigningIdentities ids = identities(s);
                if (ids == null || ids.get(renewed.name()) == null) {
                    return s;
                }
                return new ServiceConfig(s.authentication().withIdentities(ids.with(renewed)), s.verification(),
                        s.nextHops());
            });
            applied();
        }
    }

    /** The renewals. */
    public Renewals renewals() {
        return renewals;
    }

    /** Renews identity {@code name} now (on the renewal thread), waiting at most {@code seconds}. */
    public Renewals.Outcome renewNow(String name, int seconds) throws InterruptedException {
        try {
            return renewer.submit(() -> renewals.renew(name)).get(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new Renewals.Outcome(name, false, "timeout", "no outcome within " + seconds + " s: " + e);
        }
    }

    /** The certificate metrics (expiry, renewals, failures). */
    public String metrics() {
        return renewals.metrics();
    }

    /**
     * Starts the repository (when configured) serving the chains of the services in force, and the renewals;
     * {@code lock} is the one a reload holds.
     */
    public static IdentityOps start(ApplianceConfig config, AtomicReference<ServiceConfig> services,
                                    Transports transports, Object lock) throws IOException, InterruptedException {
        RepositoryConfig r = config.signing() == null ? null : config.signing().repository();
        CertificateRepository repository = null;
        if (r != null) {
            SslContext tls;
            try {
                tls = SslContextBuilder.forServer(r.certificate().toFile(), r.key().toFile()).build();
            } catch (IOException | RuntimeException e) {
                throw new IOException("signing.repository: cannot use certificate " + r.certificate() + " and key "
                        + r.key() + ": " + e.getMessage(), e);
            }
            try {
                repository = new CertificateRepository(transports, r.listen(), tls, served(services.get()));
            } catch (RuntimeException e) {
                throw new IOException("signing.repository: cannot listen on " + r.listen() + ": " + e.getMessage(), e);
            }
        }
        IdentityOps ops = new IdentityOps(r, repository, services, lock, config);
        ops.jwsCard(config);
        return ops;
    }

    /** Refuses {@code next} when it changes what needs a restart (where the repository listens, its TLS). */
    public void check(ApplianceConfig next) {
        RepositoryConfig r = next.signing() == null ? null : next.signing().repository();
        if (!Objects.equals(r, repositoryConfig)) {
            throw new IllegalArgumentException("signing.repository changes only with a restart");
        }
    }

    /** After a reload: the renewals follow the new identities, the repository serves them. */
    public void reloaded(ApplianceConfig next) {
        renewals.update(next.signing() == null ? java.util.List.of() : next.signing().identities());
        applied();
        jwsCard(next);
    }

    /**
     * The RFC 8688 jCard JWS at the path of {@code blocking.jwscard} when {@code blocking.serveJwscard}: signed with
     * the default identity in force when asked, kept {@link io.shakengate.proxy.stir.Blocking#JWSCARD_SECONDS} s.
     */
    private void jwsCard(ApplianceConfig c) {
        if (repository == null) {
            return;
        }
        io.shakengate.proxy.stir.Blocking b = c.family().blocking();
        if (!b.serveJwscard()) {
            repository.fresh(null, null);
            return;
        }
        String jcard = b.jcard();
        Object[] kept = new Object[2]; // [iat seconds, bytes], under its own lock
        repository.fresh(java.net.URI.create(b.jwscard()).getRawPath(), () -> {
            synchronized (kept) {
                long now = System.currentTimeMillis() / 1000;
                if (kept[0] == null || now - (Long) kept[0] >= io.shakengate.proxy.stir.Blocking.JWSCARD_SECONDS) {
                    SigningIdentities ids = identities(services.get());
                    if (ids == null || ids.defaultIdentity() == null) {
                        return null;
                    }
                    kept[0] = now;
                    kept[1] = ids.defaultIdentity().signer().jwsCard(now, jcard)
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                return (byte[]) kept[1];
            }
        });
    }

    /** After a reload or a renewal: the repository serves the identities now in force. */
    public void applied() {
        if (repository != null) {
            repository.serve(served(services.get()));
        }
    }

    /** Where the repository listens, or null. */
    public java.net.InetSocketAddress repositoryAddress() {
        return repository == null ? null : repository.address();
    }

    private static Map<String, byte[]> served(ServiceConfig s) {
        SigningIdentities ids = s.authentication() == null ? null : s.authentication().identities();
        return ids == null ? Map.of() : ids.servedChains();
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        if (repository != null) {
            repository.close();
        }
    }
}
