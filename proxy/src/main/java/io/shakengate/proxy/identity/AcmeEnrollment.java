package io.shakengate.proxy.identity;

import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeProtocolException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.toolbox.JSON;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * One certificate order over ACME (RFC 8555) with acme4j: the account (made, or found, for the account key),
 * the order for the identifier, each authorization answered with the challenge of the given type, the CSR
 * finalized, the chain downloaded. For an STI identity the identifier is the TNAuthList (RFC 9447) and the
 * challenge {@code tkauth-01} answered with the SPC token (RFC 9448); the RFC 8555 part is the same for any
 * identifier. Blocking: it runs on the renewal thread, never on an event loop.
 */
final class AcmeEnrollment {
    /** Why an order failed, as counted ({@code reason} label). */
    enum Failure {
        /** The ACME server could not be reached, or a connection broke. */
        ACME_UNREACHABLE,
        /** The ACME server answered a problem document (RFC 7807), e.g. an unauthorized token or a bad CSR. */
        ACME_REFUSED,
        /** The ACME server answered something that is not ACME. */
        ACME_GARBAGE,
        /** An exchange did not end within the timeout. */
        ACME_TIMEOUT,
        /** The STI-PA token endpoint refused or failed, or the token file is missing. */
        TOKEN_REFUSED,
        /** The chain issued is not the one asked for (another key, another TNAuthList, not valid now). */
        CHAIN_REFUSED,
        /** The new key and chain could not be written. */
        WRITE_FAILED
    }

    /** A failed order: its reason and what the server or the check said. */
    static final class EnrollmentException extends Exception {
        final Failure failure;

        EnrollmentException(Failure failure, String message, Throwable cause) {
            super(message, cause);
            this.failure = failure;
        }
    }

    /**
     * What to order.
     *
     * @param identifier    the ACME identifier (type and value)
     * @param challengeType the challenge answered for it ({@code tkauth-01} for TNAuthList)
     * @param token         the Authority Token for {@code tkauth-01}, or null
     */
    record Request(Identifier identifier, String challengeType, String token) {
    }

    private AcmeEnrollment() {
    }

    /** The ACME session at {@code directory}, trusting {@code tls} (null: the system roots), bounded by {@code timeout}. */
    static Session session(URI directory, SSLContext tls, Duration timeout, String token) {
        Session s = new Session(directory, new GenericAcmeProvider() {
            @Override
            public HttpClient createHttpClient(NetworkSettings settings) {
                HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.getTimeout())
                        .followRedirects(HttpClient.Redirect.NORMAL);
                return (tls == null ? b : b.sslContext(tls)).build();
            }

            @Override
            public Challenge createChallenge(Login login, JSON data) {
                if (TkAuthChallenge.TYPE.equals(data.get("type").asString())) {
                    return new TkAuthChallenge(login, data, token);
                }
                return super.createChallenge(login, data);
            }
        });
        s.networkSettings().setTimeout(timeout);
        return s;
    }

    /**
     * Orders a certificate for {@code request} with {@code csrDer}, logged in with {@code accountKey} (an
     * account is made when the server has none for it); the chain issued, end entity first.
     */
    static List<X509Certificate> order(Session session, KeyPair accountKey, String contact, Request request,
                                       byte[] csrDer, Duration timeout) throws EnrollmentException,
            InterruptedException {
        try {
            AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
            if (contact != null) {
                account.addContact(contact);
            }
            Login login = account.createLogin(session);
            Order order = login.newOrder().identifier(request.identifier()).create();
            for (Authorization auth : order.getAuthorizations()) {
                if (auth.getStatus() == Status.VALID) {
                    continue;
                }
                Challenge challenge = auth.findChallenge(request.challengeType()).orElseThrow(() ->
                        new EnrollmentException(Failure.ACME_REFUSED, "the server offers no " + request.challengeType()
                                + " challenge for " + auth.getIdentifier(), null));
                challenge.trigger();
                Status st = challenge.waitForCompletion(timeout);
                if (st != Status.VALID) {
                    throw new EnrollmentException(Failure.ACME_REFUSED, "the " + request.challengeType()
                            + " challenge ended " + st + challenge.getError().map(p -> ": " + problem(p)).orElse(""),
                            null);
                }
            }
            Status ready = order.waitUntilReady(timeout);
            if (ready != Status.READY) {
                throw new EnrollmentException(ready == Status.PENDING ? Failure.ACME_TIMEOUT : Failure.ACME_REFUSED,
                        "the order is " + ready + order.getError().map(p -> ": " + problem(p)).orElse(""), null);
            }
            order.execute(csrDer);
            Status done = order.waitForCompletion(timeout);
            if (done != Status.VALID) {
                throw new EnrollmentException(done == Status.PROCESSING ? Failure.ACME_TIMEOUT : Failure.ACME_REFUSED,
                        "the order ended " + done + order.getError().map(p -> ": " + problem(p)).orElse(""), null);
            }
            List<X509Certificate> chain = order.getCertificate().getCertificateChain();
            if (chain.isEmpty()) {
                throw new EnrollmentException(Failure.ACME_GARBAGE, "the server issued an empty chain", null);
            }
            return chain;
        } catch (AcmeServerException e) {
            throw new EnrollmentException(Failure.ACME_REFUSED, "the ACME server refused: " + problem(e.getProblem()), e);
        } catch (AcmeNetworkException e) {
            Throwable c = e.getCause();
            boolean timedOut = c instanceof java.net.http.HttpTimeoutException
                    || c instanceof java.net.SocketTimeoutException;
            throw new EnrollmentException(timedOut ? Failure.ACME_TIMEOUT : Failure.ACME_UNREACHABLE,
                    (timedOut ? "the ACME server did not answer in time: " : "the ACME server cannot be reached: ")
                            + (c == null ? e.getMessage() : c), e);
        } catch (AcmeProtocolException e) {
            throw new EnrollmentException(Failure.ACME_GARBAGE, "the ACME server's answer is not ACME: "
                    + e.getMessage(), e);
        } catch (AcmeException e) {
            Throwable c = e.getCause();
            if (c instanceof java.io.IOException) {
                throw new EnrollmentException(Failure.ACME_UNREACHABLE, "the ACME server cannot be reached: " + c, e);
            }
            throw new EnrollmentException(Failure.ACME_GARBAGE, "ACME failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new EnrollmentException(Failure.ACME_GARBAGE, "the ACME server's answer is not ACME: " + e, e);
        }
    }

    private static String problem(org.shredzone.acme4j.Problem p) {
        return p.getType() + p.getDetail().map(d -> " (" + d + ")").orElse("");
    }
}
