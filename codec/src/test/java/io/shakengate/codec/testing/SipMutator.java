package io.shakengate.codec.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The codec's mutation generator: a valid SIP message from the corpus (a SHAKEN INVITE and RFC 4475 torture
 * messages) with 1 to 6 mutations, each a byte replaced, inserted or deleted, a truncation, a run of 40 bytes
 * repeated, or a line feed replaced, at a relative position, with a byte of SIP's syntax or any byte. Used by
 * the decoders' fuzz properties and by the hostile-traffic tests of the appliance.
 */
public final class SipMutator {
    /** The valid messages mutated. */
    public static final List<byte[]> SEEDS = List.of(SipCorpus.shakenInvite(), SipCorpus.rfc4475("wsinv"),
            SipCorpus.rfc4475("intmeth"), SipCorpus.rfc4475("esc01"), SipCorpus.rfc4475("mpart01"),
            SipCorpus.rfc4475("unreason"), SipCorpus.rfc4475("longreq"));
    /** Bytes that mean something to SIP's grammar. */
    public static final byte[] INTERESTING = {'\r', '\n', ' ', '\t', ':', ';', ',', '"', '\\', '<', '>', '@', '=',
        '/', '?', '[', ']', 0, (byte) 0xff, '0', '9', '-', '%'};

    /** One mutation: kind (0..5), relative position (0..1), byte. */
    public record Mutation(int kind, double where, byte value) {
    }

    private SipMutator() {
    }

    /** A random mutated message drawn from {@code random}. */
    public static byte[] next(Random random) {
        int n = 1 + random.nextInt(6);
        Mutation[] ms = new Mutation[n];
        for (int i = 0; i < n; i++) {
            byte v = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt();
            ms[i] = new Mutation(random.nextInt(6), random.nextDouble(), v);
        }
        return apply(random.nextInt(SEEDS.size()), Arrays.asList(ms));
    }

    /** Seed {@code seed} with {@code mutations} applied in order. */
    public static byte[] apply(int seed, List<Mutation> mutations) {
        byte[] b = SEEDS.get(seed).clone();
        for (Mutation m : mutations) {
            int at = (int) (m.where() * b.length);
            switch (m.kind()) {
                case 0 -> {
                    if (at < b.length) {
                        b[at] = m.value();
                    }
                }
                case 1 -> {
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = m.value();
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
                case 2 -> {
                    if (at < b.length) {
                        byte[] n = new byte[b.length - 1];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(b, at + 1, n, at, b.length - at - 1);
                        b = n;
                    }
                }
                case 3 -> b = Arrays.copyOf(b, at);
                case 4 -> {
                    int len = Math.min(40, b.length - at);
                    byte[] n = new byte[b.length + len];
                    System.arraycopy(b, 0, n, 0, at + len);
                    System.arraycopy(b, at, n, at + len, b.length - at);
                    b = n;
                }
                default -> {
                    int lf = indexOf(b, (byte) '\n', at);
                    if (lf >= 0) {
                        b[lf] = m.value();
                    }
                }
            }
        }
        return b;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
