package io.shakengate.codec.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every JUnit Jupiter test class (service loader plus
 * {@code junit.jupiter.extensions.autodetection.enabled}): fails the class after which a Netty buffer leak
 * is reported. jqwik properties call {@link LeakCheck#assertNoLeaks()} themselves.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    static {
        LeakCheck.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LeakCheck.install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LeakCheck.assertNoLeaks();
    }
}
