package io.shakengate.proxy.identity;

import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.toolbox.JSON;
import org.shredzone.acme4j.toolbox.JSONBuilder;

/**
 * The {@code tkauth-01} challenge (RFC 9448): answered with the Authority Token (for SHAKEN, the STI-PA's SPC
 * token, ATIS-1000080) as {@code {"atc": TOKEN}}.
 */
final class TkAuthChallenge extends Challenge {
    /** The challenge type. */
    static final String TYPE = "tkauth-01";
    private final String token;

    TkAuthChallenge(Login login, JSON data, String token) {
        super(login, data);
        this.token = token;
    }

    @Override
    protected boolean acceptable(String type) {
        return TYPE.equals(type);
    }

    @Override
    protected void prepareResponse(JSONBuilder response) {
        super.prepareResponse(response);
        response.put("atc", token);
    }
}
