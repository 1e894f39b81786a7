package io.shakengate.crypto.cache;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * Fetches x5u bodies with the JDK's HTTP client, within limits: connect and total timeouts, a maximum body
 * size (the transfer is cancelled as soon as it is exceeded), no redirects, and (unless allowed) no
 * connection to a host whose name resolves to a loopback, private, link-local or otherwise special address.
 * The name is resolved on the fetch executor, never on the caller's thread. (A DNS answer that changes
 * between that check and the connection is a known limit of this check.)
 */
public final class HttpCertificateFetcher implements CertificateFetcher {
    /**
     * Limits.
     *
     * @param connectTimeoutMillis connect timeout
     * @param totalTimeoutMillis   whole request timeout
     * @param maxBodyBytes         largest body accepted
     * @param allowPrivateHosts    allow hosts that resolve to special addresses (tests on loopback only)
     */
    public record Limits(int connectTimeoutMillis, int totalTimeoutMillis, int maxBodyBytes, boolean allowPrivateHosts) {
        /** 1 s connect, 2 s total, 64 KiB, public hosts only. */
        public static final Limits DEFAULT = new Limits(1000, 2000, 65536, false);
    }

    private final Limits limits;
    private final HttpClient client;
    private final Executor executor;

    /** A fetcher running on {@code executor} (DNS and HTTP callbacks), with a client configured by {@code limits}. */
    public HttpCertificateFetcher(Limits limits, Executor executor, javax.net.ssl.SSLContext ssl) {
        this.limits = limits;
        this.executor = executor;
        HttpClient.Builder b = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(limits.connectTimeoutMillis())).executor(executor);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.client = b.build();
    }

    @Override
    public CompletableFuture<Response> fetch(String url) {
        return CompletableFuture.supplyAsync(() -> checkHost(url), executor).thenCompose(refused -> {
            if (refused != null) {
                return CompletableFuture.completedFuture(Response.failed(0, refused));
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET()
                    .timeout(Duration.ofMillis(limits.totalTimeoutMillis())).build();
            return client.sendAsync(request, info -> new Limited(info.statusCode(), limits.maxBodyBytes()))
                    .handle((response, error) -> {
                        if (error != null) {
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            return Response.failed(0, cause instanceof java.net.http.HttpTimeoutException
                                    ? "timeout" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                        }
                        byte[] body = response.body();
                        if (body == null) {
                            return Response.failed(response.statusCode(), "body larger than "
                                    + limits.maxBodyBytes() + " bytes");
                        }
                        if (response.statusCode() != 200) {
                            return Response.failed(response.statusCode(), "HTTP " + response.statusCode());
                        }
                        return new Response(200, body, response.headers().firstValue("cache-control").orElse(null),
                                response.headers().firstValue("expires").orElse(null), null);
                    });
        });
    }

    private String checkHost(String url) {
        if (limits.allowPrivateHosts()) {
            return null;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(URI.create(url).getHost())) {
                if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                        || a.isMulticastAddress()) {
                    return "host resolves to a non-public address " + a.getHostAddress();
                }
            }
            return null;
        } catch (java.net.UnknownHostException e) {
            return "unknown host";
        }
    }

    /** Collects at most {@code max} bytes; cancels the transfer beyond and yields null. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int max;
        private Flow.Subscription subscription;

        Limited(int status, int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.complete(null);
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
