package io.shakengate.crypto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signature outcomes remembered per token stay within their bound, also under a flood of distinct tokens. */
class VerifiedTokensTest {
    @Test
    void aFloodOfDistinctTokensStaysWithinTheBound() {
        Object key = new Object();
        VerifiedTokens t = new VerifiedTokens(10, 120_000, () -> 1_000_000L); // the clock stands still: all young
        for (int i = 0; i < 1000; i++) {
            t.remember("token-" + i, key, i % 2 == 0);
            assertTrue(t.size() <= 10, "size " + t.size() + " after " + (i + 1));
        }
        t.remember("kept", key, true);
        assertEquals(Boolean.TRUE, t.lookup("kept", key));
        assertNull(t.lookup("kept", new Object()), "another key (a new certificate): not known");
    }
}
