package io.shakengate.crypto.passport;

import io.shakengate.crypto.VerificationFailure;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Parses a PASSporT in compact JWS form strictly: exactly three non-empty base64url segments (the compact
 * form {@code ..signature} is refused: SHAKEN does not allow it), a header and a payload that are each one
 * JSON object without duplicate names, and a size limit. It does not judge the values: the verifier checks
 * alg, typ, ppt, x5u and the claims in the order of its check list. Never throws on malformed input.
 */
public final class PassportParser {
    /** Default longest token accepted, in bytes. */
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8192;

    private final int maxTokenBytes;

    /** A parser accepting tokens of up to {@code maxTokenBytes}. */
    public PassportParser(int maxTokenBytes) {
        this.maxTokenBytes = maxTokenBytes;
    }

    /** The outcome: a passport, or why there is none. */
    public record Result(Passport passport, VerificationFailure failure) {
        static Result fail(VerificationFailure f) {
            return new Result(null, f);
        }
    }

    /** Parses {@code token}. */
    public Result parse(String token) {
        if (token == null || token.isEmpty() || token.length() > maxTokenBytes) {
            return Result.fail(VerificationFailure.PASSPORT_MALFORMED);
        }
        if (token.startsWith("..")) {
            return Result.fail(VerificationFailure.PASSPORT_COMPACT_FORM);
        }
        int d1 = token.indexOf('.');
        int d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
        if (d1 <= 0 || d2 < 0 || d2 == d1 + 1 || d2 == token.length() - 1 || token.indexOf('.', d2 + 1) >= 0) {
            return Result.fail(VerificationFailure.PASSPORT_MALFORMED);
        }
        byte[] header;
        byte[] payload;
        byte[] signature;
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            header = b64.decode(token.substring(0, d1));
            payload = b64.decode(token.substring(d1 + 1, d2));
            signature = b64.decode(token.substring(d2 + 1));
        } catch (IllegalArgumentException e) {
            return Result.fail(VerificationFailure.PASSPORT_MALFORMED);
        }
        Map<String, Object> h = Json.parseObject(header, 0, header.length);
        if (h == null) {
            return Result.fail(VerificationFailure.HEADER_MALFORMED);
        }
        Map<String, Object> claims = Json.parseObject(payload, 0, payload.length);
        if (claims == null) {
            return Result.fail(VerificationFailure.CLAIMS_MALFORMED);
        }
        byte[] input = token.substring(0, d2).getBytes(StandardCharsets.US_ASCII);
        return new Result(new Passport(h, claims, input, signature, token), null);
    }
}
