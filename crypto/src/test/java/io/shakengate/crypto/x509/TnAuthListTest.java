package io.shakengate.crypto.x509;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TNAuthList: SPCs, numbers and ranges, what each covers and encompasses, and its DER both ways. */
class TnAuthListTest {
    private static final Path VECTORS = Path.of("..", "..", "shared", "spec", "vectors", "asn1");

    private static byte[] hex(String file) throws Exception {
        Path p = VECTORS.resolve(file);
        String text = Files.exists(p) ? Files.readString(p).trim()
                // the digest's synthetic mixed list, for a checkout without the shared tree
                : "302ca006160431303031a1133011160b3132313535353531303030020203e8a20d160b3132313535353531323132";
        return HexFormat.of().parseHex(text);
    }

    @Test
    void theDigestsMixedListParsesToEachKindOfEntry() throws Exception {
        TnAuthList l = TnAuthList.parse(hex("tnauthlist-mixed.hex"));
        assertEquals(List.of("1001"), l.spcs());
        assertEquals(List.of("12155551212"), l.numbers());
        assertEquals(List.of(new TnAuthList.Range("12155551000", 1000)), l.ranges());
        assertEquals("12155551000-12155551999", l.ranges().get(0).toString());
        // re-encoded in the order SPC, range, number: the vector's own order and bytes
        assertEquals(HexFormat.of().formatHex(hex("tnauthlist-mixed.hex")), HexFormat.of().formatHex(l.encoded()));
    }

    @Test
    void aRangeCoversItsNumbersAndNoOthers() {
        TnAuthList d = TnAuthList.parseText("+12025550100-12025550199, 13035550000");
        assertTrue(d.delegate());
        assertTrue(d.covers("12025550100"));
        assertTrue(d.covers("+12025550199"));
        assertFalse(d.covers("12025550200"));
        assertFalse(d.covers("12025550099"));
        assertFalse(d.covers("1202555010"), "a shorter number is not inside");
        assertFalse(d.covers("120255501000"), "a longer number is not inside");
        assertTrue(d.covers("13035550000"));
        assertFalse(d.covers("13035550001"));
        assertFalse(d.covers(null));
        assertTrue(TnAuthList.ofSpc("1234").covers("19995551234"), "an SPC list covers any number");
        assertFalse(TnAuthList.ofSpc("1234").delegate());
    }

    @Test
    void encompassingFollowsRfc9060() {
        TnAuthList parent = TnAuthList.parseText("12025550000-12025550999");
        assertTrue(parent.encompasses(TnAuthList.parseText("12025550100-12025550199 12025550500")));
        assertFalse(parent.encompasses(TnAuthList.parseText("12025550900-12025551099")), "runs past the end");
        assertFalse(parent.encompasses(TnAuthList.parseText("12025551500")));
        assertFalse(parent.encompasses(TnAuthList.ofSpc("1234")), "numbers never encompass an SPC");
        assertTrue(TnAuthList.ofSpc("1234").encompasses(parent));
    }

    @Test
    void badEntriesAreRefusedWithTheirText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TnAuthList.parseText("12x4"))
                .getMessage().contains("12x4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TnAuthList.parseText("1999-1000"))
                .getMessage().contains("FIRST below LAST"));
        assertThrows(IllegalArgumentException.class, () -> TnAuthList.parseText("100-1000"));
        assertThrows(IllegalArgumentException.class, () -> TnAuthList.parseText(" "));
        assertThrows(IllegalArgumentException.class, () -> new TnAuthList.Range("9990", 20), "rolls over a digit");
        assertThrows(IllegalArgumentException.class, () -> new TnAuthList.Range("1000", 1));
    }

    @Test
    void hostileDerIsNotAList() {
        assertNull(TnAuthList.parse(new byte[] {0x30, 0x00}));
        assertNull(TnAuthList.parse(new byte[] {0x30, 0x03, (byte) 0xa1, 0x01, 0x05}));
        // a range with count 1 (RFC 8226: 2..MAX)
        byte[] one = new TnAuthList(List.of(), List.of(), List.of(new TnAuthList.Range("1000", 2))).encoded();
        one[one.length - 1] = 1;
        assertNull(TnAuthList.parse(one));
        assertNull(TnAuthList.parse("garbage".getBytes()));
    }
}
