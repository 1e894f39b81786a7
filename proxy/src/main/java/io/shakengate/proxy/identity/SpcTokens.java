package io.shakengate.proxy.identity;

import io.shakengate.crypto.passport.Json;
import io.shakengate.proxy.config.IdentityConfig;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The SPC token (the STI-PA's Authority Token, RFC 9448 / ATIS-1000080) that answers {@code tkauth-01}: read
 * from a file, or fetched from the STI-PA token API: {@code POST tokenEndpoint} with
 * {@code Authorization: Bearer <tokenAuth>} and the body
 * {@code {"atc":{"tktype":"TNAuthList","tkvalue":"<base64 TNAuthList DER>","ca":false,"fingerprint":"SHA256 AB:CD:.."}}}
 * (the fingerprint is of the ACME account key's SubjectPublicKeyInfo), answered
 * {@code {"status":"success","token":"<JWT>"}}. Anything else is a refusal, with what the endpoint said.
 */
final class SpcTokens {
    private static final int MAX_BODY = 64 * 1024;

    private SpcTokens() {
    }

    /** The ATIS-1000080 fingerprint of {@code accountKey}: {@code SHA256 } and the digest's bytes as XX:XX:... */
    static String fingerprint(PublicKey accountKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(accountKey.getEncoded());
            StringBuilder b = new StringBuilder("SHA256 ");
            for (int i = 0; i < d.length; i++) {
                b.append(i == 0 ? "" : ":").append(HexFormat.of().toHexDigits(d[i]).toUpperCase(Locale.ROOT));
            }
            return b.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token for {@code acme}'s TNAuthList and {@code accountKey}; {@code tls} trusts the endpoint (null: system). */
    static String token(IdentityConfig.Acme acme, PublicKey accountKey, SSLContext tls)
            throws AcmeEnrollment.EnrollmentException, InterruptedException {
        if (acme.tokenFile() != null) {
            try {
                String t = Files.readString(acme.tokenFile(), StandardCharsets.US_ASCII).trim();
                if (t.isEmpty()) {
                    throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                            "the token file " + acme.tokenFile() + " is empty", null);
                }
                return t;
            } catch (IOException e) {
                throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                        "the token file " + acme.tokenFile() + " cannot be read: " + e, e);
            }
        }
        String auth = null;
        if (acme.tokenAuth() != null) {
            try {
                auth = Files.readString(acme.tokenAuth(), StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                        "the token endpoint credential " + acme.tokenAuth() + " cannot be read: " + e, e);
            }
        }
        StringBuilder body = new StringBuilder("{\"atc\":{\"tktype\":\"TNAuthList\",\"tkvalue\":");
        Json.quote(body, Base64.getEncoder().encodeToString(acme.tnAuthList().encoded()));
        body.append(",\"ca\":false,\"fingerprint\":");
        Json.quote(body, fingerprint(accountKey)).append("}}");
        HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(acme.timeoutSeconds()))
                .followRedirects(HttpClient.Redirect.NEVER);
        HttpClient client = (tls == null ? cb : cb.sslContext(tls)).build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(acme.tokenEndpoint())
                .timeout(Duration.ofSeconds(acme.timeoutSeconds())).header("Content-Type", "application/json")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (auth != null) {
            rb.header("Authorization", "Bearer " + auth);
        }
        HttpResponse<byte[]> r;
        try {
            r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                    "the token endpoint " + acme.tokenEndpoint() + " did not answer in time (" + acme.timeoutSeconds()
                            + " s)", e);
        } catch (IOException e) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                    "the token endpoint " + acme.tokenEndpoint() + " cannot be reached: " + e, e);
        }
        String text = new String(r.body(), 0, Math.min(r.body().length, MAX_BODY), StandardCharsets.UTF_8);
        if (r.statusCode() != 200) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                    "the token endpoint answered " + r.statusCode() + ": " + abbreviate(text), null);
        }
        Object token;
        try {
            byte[] raw = text.getBytes(StandardCharsets.UTF_8);
            Map<String, Object> m = Json.parseObject(raw, 0, raw.length);
            token = "success".equals(m.get("status")) ? m.get("token") : null;
        } catch (RuntimeException e) {
            token = null;
        }
        if (!(token instanceof String t) || t.split("\\.", -1).length != 3) {
            throw new AcmeEnrollment.EnrollmentException(AcmeEnrollment.Failure.TOKEN_REFUSED,
                    "the token endpoint answered no token: " + abbreviate(text), null);
        }
        return t;
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("[\\r\\n]+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }

    /** The ACME identifier value of a TNAuthList (RFC 9447: base64url of its DER, unpadded). */
    static String identifierValue(io.shakengate.crypto.x509.TnAuthList list) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(list.encoded());
    }
}
