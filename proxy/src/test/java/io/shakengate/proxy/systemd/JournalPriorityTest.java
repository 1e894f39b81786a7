package io.shakengate.proxy.systemd;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class JournalPriorityTest {
    @Test
    void everyLineGetsItsPriorityWhateverTheWrites() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream p = JournalPriority.prefixed(bytes, JournalPriority.ERROR);
        p.println("reload refused");
        p.print("two ");
        p.print("pieces\nand a third");
        p.write('\n');
        p.print("\n\n");
        p.flush();
        assertEquals("<3>reload refused\n<3>two pieces\n<3>and a third\n<3>\n<3>\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void outsideTheJournalTheStreamIsLeftAlone() {
        PrintStream s = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertSame(s, JournalPriority.forJournal(null, s, JournalPriority.INFO));
        assertSame(s, JournalPriority.forJournal("", s, JournalPriority.INFO));
    }
}
