package io.shakengate.codec.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The SIP message corpus of the codec's test resources, shared with proxy tests and benchmarks through the
 * test-jar: RFC 4475's torture messages ({@code rfc4475/valid}, {@code rfc4475/invalid}) and typical SHAKEN
 * traffic ({@code shaken}).
 */
public final class SipCorpus {
    /** RFC 4475 section 3.1.1: valid messages. */
    public static final List<String> RFC4475_VALID = List.of("wsinv", "intmeth", "esc01", "escnull", "esc02",
            "lwsdisp", "longreq", "dblreq", "semiuri", "transports", "mpart01", "unreason", "noreason");
    /** RFC 4475 section 3.1.2: invalid messages. */
    public static final List<String> RFC4475_INVALID = List.of("badinv01", "clerr", "ncl", "scalar02", "scalarlg",
            "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "escruri", "baddate", "regbadct", "badaspec",
            "baddn", "badvers", "mismatch01", "mismatch02", "bigcode");

    private SipCorpus() {
    }

    /** The bytes of {@code rfc4475/valid/NAME.sip} or {@code rfc4475/invalid/NAME.sip}. */
    public static byte[] rfc4475(String name) {
        return load("rfc4475/" + (RFC4475_VALID.contains(name) ? "valid/" : "invalid/") + name + ".sip");
    }

    /** A typical 1.4 KB SHAKEN INVITE: SDP body and one Identity header. */
    public static byte[] shakenInvite() {
        return load("shaken/invite-identity.sip");
    }

    /** The bytes of a corpus file, by its path under the corpus folder. */
    public static byte[] load(String path) {
        String resource = "/io/shakengate/codec/corpus/" + path;
        try (InputStream in = SipCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no corpus file " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
