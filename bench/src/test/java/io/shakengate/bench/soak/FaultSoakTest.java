package io.shakengate.bench.soak;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault soak, bounded for CI: 130 s at 5 calls/s per transport with one cycle of every fault (x5u slow,
 * down, garbage, another certificate; CPS down and slow; redis SIGKILL; next hop stopped; the verify appliance
 * SIGTERMed and restarted; SIGHUP every 5 s). Every call is answered with the expected verstat or explained by
 * the fault it met; lost calls only at the forced stop of the verify appliance; resources flat within the
 * margins. The run's files (report.txt, resources.csv, resources.png, logs) stay in target/fault-soak.
 */
class FaultSoakTest {
    @Test
    void everyCallIsAccountedForUnderOneCycleOfEveryFault() throws Exception {
        Path dir = Path.of("target", "fault-soak").toAbsolutePath();
        FaultSoak.Report r = FaultSoak.run(new FaultSoak.Settings(130, 5, dir, 130));
        System.out.println(r.text());
        assertTrue(r.ok(), r.text());
        assertEquals(1300, r.calls().calls(), "every call the UACs were told to make is accounted for");
        for (String fault : new String[] {"x5u slow", "x5u down", "x5u garbage", "x5u another certificate",
                "cps down", "cps slow", "redis SIGKILL", "uas stopped", "verify appliance SIGTERM"}) {
            assertTrue(r.text().contains(fault), "the fault '" + fault + "' struck: " + r.text());
        }
        long passed = r.calls().classes().entrySet().stream().filter(e -> e.getKey().contains("TN-Validation-Passed"))
                .mapToLong(Map.Entry::getValue).sum();
        assertTrue(passed > 600, "most calls pass verification between faults: " + passed);
        // lost only in flight at the verify appliance's forced stop (3 s drain at most): bounded by 2 s of calls
        assertTrue(r.calls().lost().size() <= 2 * 2 * 5, "lost calls: " + r.calls().lost());
        assertTrue(Files.size(dir.resolve("resources.png")) > 1000, "the resource plot was drawn");
    }
}
