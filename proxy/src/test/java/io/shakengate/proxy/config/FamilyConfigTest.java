package io.shakengate.proxy.config;

import io.shakengate.crypto.passport.RichCallData;
import io.shakengate.proxy.stir.Family;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocking, emergency and passports sections: read as written, defaults when absent, bad input by line. */
class FamilyConfigTest {
    @TempDir
    Path dir;

    private static final String POINTS = "listeningPoints:\n"
            + "  - { name: in, transport: udp, listen: \"127.0.0.1:0\", role: forward, nextHop: \"127.0.0.1:9\" }\n";

    @Test
    void theSectionsAreReadAsWritten() throws Exception {
        String digest = RichCallData.integrity("sha256", "logo");
        Path branding = Files.writeString(dir.resolve("branding.txt"), "# number | name | logo | digest\n"
                + "12155550121 | Example Clinic | https://brand.example/c.png | " + digest + "\n"
                + "1215555* | Example Corp\n");
        ApplianceConfig c = ApplianceConfig.parse(String.join("\n",
                "blocking:",
                "  location: TN",
                "  url: https://redress.example/blocked",
                "emergency:",
                "  numbers: [\"911\", \"112\"]",
                "passports:",
                "  maxPerCall: 4",
                "  signDiv: false",
                "  branding: " + branding,
                "  priorities: [ETS, wps]",
                "  presentRcd: call-info",
                "  checkRcdi: false",
                POINTS), "shakengate.yaml");
        FamilyConfig.Settings f = c.family();
        assertEquals("SIP;cause=603;text=\"v=analytics1;url=https://redress.example/blocked\";location=TN",
                f.blocking().analytics().headers().get(0).value());
        assertTrue(f.emergency().matches(List.of("112"), null));
        assertTrue(f.emergency().matches(List.of(), "urn:service:sos"), "the URN default stays");
        assertEquals(4, f.maxPerCall());
        assertFalse(f.signDiv());
        assertEquals(Set.of("ets", "wps"), f.priorities());
        assertEquals(Family.Presentation.CALL_INFO, f.presentRcd());
        assertEquals("Example Clinic", f.branding().of("12155550121").name());
        assertEquals("Example Corp", f.branding().of("12155550122").name());
        assertEquals(null, f.family(url -> null).rcdContent(), "checkRcdi: false");
    }

    @Test
    void absentSectionsAreTheDefaults() {
        FamilyConfig.Settings f = ApplianceConfig.parse(POINTS, "shakengate.yaml").family();
        assertEquals(FamilyConfig.Settings.DEFAULT, f);
        assertEquals(603, f.blocking().analytics().status());
        assertEquals("Decline", f.blocking().analytics().phrase(), "no redress contact: not 603+");
    }

    @Test
    void badInputNamesItsLine() throws Exception {
        assertError("blocking:\n  location: MOON\n" + POINTS, "line 2: blocking.location must be one of");
        assertError("blocking:\n  url: \"https://x.example/a;b\"\n" + POINTS, "line 2: a blocking contact may not");
        assertError("emergency:\n  numbers: [\"9-1-1\"]\n" + POINTS, "line 2: emergency.numbers: '9-1-1'");
        assertError("emergency:\n  urns: [\"tel:911\"]\n" + POINTS, "line 2: emergency.urns: 'tel:911'");
        assertError("passports:\n  maxPerCall: 0\n" + POINTS, "line 2: passports.maxPerCall");
        assertError("passports:\n  presentRcd: loud\n" + POINTS, "line 2: passports.presentRcd must be one of");
        assertError("passports:\n  branding: " + dir.resolve("none.txt") + "\n" + POINTS,
                "line 2: passports.branding: no such file");
        Path bad = Files.writeString(dir.resolve("bad.txt"), "12155550121 | A\nnot-a-number | B\n");
        assertError("passports:\n  branding: " + bad + "\n" + POINTS, bad + " line 2: 'not-a-number'");
        Path logo = Files.writeString(dir.resolve("logo.txt"), "12155550121 | A | https://x.example/l.png\n");
        assertError("passports:\n  branding: " + logo + "\n" + POINTS, "a logo must be an https URL with its rcdi");
    }

    private static void assertError(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> ApplianceConfig.parse(yaml, "shakengate.yaml"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
