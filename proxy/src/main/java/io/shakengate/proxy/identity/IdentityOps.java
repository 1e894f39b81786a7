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
 * renewal.
 */
public final class IdentityOps implements AutoCloseable {
    private final RepositoryConfig repositoryConfig;
    private final CertificateRepository repository;
    private final AtomicReference<ServiceConfig> services;

    private IdentityOps(RepositoryConfig repositoryConfig, CertificateRepository repository,
                        AtomicReference<ServiceConfig> services) {
        this.repositoryConfig = repositoryConfig;
        this.repository = repository;
        this.services = services;
    }

    /** Starts the repository (when configured) serving the chains of the services in force. */
    public static IdentityOps start(ApplianceConfig config, AtomicReference<ServiceConfig> services,
                                    Transports transports) throws IOException, InterruptedException {
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
        return new IdentityOps(r, repository, services);
    }

    /** Refuses {@code next} when it changes what needs a restart (where the repository listens, its TLS). */
    public void check(ApplianceConfig next) {
        RepositoryConfig r = next.signing() == null ? null : next.signing().repository();
        if (!Objects.equals(r, repositoryConfig)) {
            throw new IllegalArgumentException("signing.repository changes only with a restart");
        }
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
        if (repository != null) {
            repository.close();
        }
    }
}
