package io.shakengate.proxy.systemd;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Log lines that journald classifies: when stdout and stderr are connected to the journal (systemd sets
 * {@code JOURNAL_STREAM}), every line gets the sd-daemon(3) prefix {@code <N>}: {@code <6>} (info) on stdout,
 * {@code <3>} (error) on stderr, where the appliance writes refusals and failures. Anywhere else the streams
 * are left alone, so a terminal or a test sees plain text.
 */
public final class JournalPriority {
    /** syslog priorities used here. */
    public static final int ERROR = 3;
    public static final int INFO = 6;

    private JournalPriority() {
    }

    /** {@code stream} with {@code <priority>} at the start of each line, if {@code journalStream} is set. */
    public static PrintStream forJournal(String journalStream, PrintStream stream, int priority) {
        return journalStream == null || journalStream.isEmpty() ? stream : prefixed(stream, priority);
    }

    /** {@code target} with {@code <priority>} at the start of each line. */
    public static PrintStream prefixed(OutputStream target, int priority) {
        byte[] prefix = ("<" + priority + ">").getBytes(StandardCharsets.US_ASCII);
        return new PrintStream(new FilterOutputStream(target) {
            private boolean lineStart = true;

            @Override
            public void write(int b) throws IOException {
                if (lineStart) {
                    out.write(prefix);
                }
                out.write(b);
                lineStart = b == '\n';
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int start = off;
                for (int i = off; i < off + len; i++) {
                    if (lineStart) {
                        out.write(b, start, i - start);
                        out.write(prefix);
                        start = i;
                    }
                    lineStart = b[i] == '\n';
                }
                out.write(b, start, off + len - start);
            }
        }, true, StandardCharsets.UTF_8);
    }
}
