package io.shakengate.proxy.config;

/** A configuration error; the message names the line (or the file) and what is wrong. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with its message. */
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
