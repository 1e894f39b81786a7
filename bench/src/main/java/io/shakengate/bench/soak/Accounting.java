package io.shakengate.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every call of the soak accounted for, from SIPp's own logs: the UAC writes a line per call it ended (its
 * INVITE's answer and its BYE's), the UAS a line per INVITE with the verstat it carried. Each call is then
 * answered 200 with the expected verstat (TN-Validation-Passed), or explained by the fault whose window it
 * started in (another verstat, a deliberate 503, a 481 to its BYE), or unexplained; a call the UAC created
 * without a line is lost, listed with the fault it was in flight at (or none).
 */
final class Accounting {
    /** A fault of the schedule: when (epoch ms), what it may explain, on which paths ("udp", "tcp"). */
    record Window(String fault, long fromMillis, long toMillis, Set<String> paths, Set<String> explains) {
        boolean covers(long atMillis, String path, String what) {
            return atMillis >= fromMillis && atMillis <= toMillis && paths.contains(path) && explains.contains(what);
        }
    }

    /** What may be explained: a verstat other than passed, a 503 to the INVITE, a refused BYE, a lost call. */
    static final String VERSTAT = "verstat";
    static final String REFUSED = "503";
    static final String BYE = "bye";
    static final String LOST = "lost";

    /** One path's calls: its UAC log lines and its UAS log lines (several files when the UAS restarted). */
    record PathLogs(String path, int created, Path uacLog, List<Path> uasLogs, Path uacErrors, long uacStartMillis,
                    int rate) {
    }

    /** The result. */
    record Result(Map<String, Long> classes, List<String> unexplained, List<String> lost, long calls) {
        long count(String prefix) {
            return classes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    /** SIPp prints its gettimeofday variables as doubles: "CALL id 1796587122.000000.296119.000000 200 200". */
    private static final Pattern CALL = Pattern.compile("CALL (\\S+) (\\d+)(?:\\.0+)?\\.(\\d+)(?:\\.0+)? (\\S+) (\\S+)");
    private static final Pattern INVITE = Pattern.compile("INVITE (\\S+) (\\S*) ?(\\S*)");
    /** An aborted call in SIPp's error file: {@code Call-ID 'X'}, {@code Call-Id 'X'} or {@code Call-Id: X,} (SIPp 3.6), lines may run together. */
    /** A UAC call dropped on a 200 OK whose CSeq is the ACK's (the UAS re-rendered its answer from the ACK). */
    private static final Pattern REANSWERED = Pattern.compile(
            "Call-Id '([^']+)': while [^']*received 'SIP/2\\.0 200 OK[^']*?\\nCSeq: 1 ACK\\n", Pattern.CASE_INSENSITIVE);
    private static final Pattern ABORTED = Pattern.compile("Call-Id(?:: | ')([^',\\s]+)",
            Pattern.CASE_INSENSITIVE);

    private Accounting() {
    }

    static Result account(List<PathLogs> paths, List<Window> windows) throws IOException {
        Map<String, Long> classes = new TreeMap<>();
        List<String> unexplained = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        long calls = 0;
        for (PathLogs p : paths) {
            calls += p.created();
            Map<String, String> verstat = new HashMap<>();
            for (Path uas : p.uasLogs()) {
                for (String line : lines(uas)) {
                    Matcher m = INVITE.matcher(line);
                    if (m.find()) {
                        verstat.put(m.group(1), m.group(2).isEmpty() ? "none" : m.group(2));
                    }
                }
            }
            int ended = 0;
            for (String line : lines(p.uacLog())) {
                Matcher m = CALL.matcher(line);
                if (!m.find()) {
                    continue;
                }
                ended++;
                String id = m.group(1);
                long at = Long.parseLong(m.group(2)) * 1000 + Long.parseLong(m.group(3)) / 1000;
                String invite = m.group(4);
                String bye = m.group(5);
                String cls;
                String why;
                if (invite.equals("200")) {
                    String v = verstat.getOrDefault(id, "none");
                    if (!bye.equals("200")) {
                        cls = p.path() + ": 200, BYE answered " + bye;
                        why = explain(windows, at, p.path(), BYE);
                    } else if (v.equals("TN-Validation-Passed")) {
                        cls = p.path() + ": 200, verstat TN-Validation-Passed";
                        why = "expected";
                    } else {
                        cls = p.path() + ": 200, verstat " + v;
                        why = explain(windows, at, p.path(), VERSTAT);
                    }
                } else if (invite.equals("503")) {
                    cls = p.path() + ": 503";
                    why = explain(windows, at, p.path(), REFUSED);
                } else {
                    cls = p.path() + ": " + invite;
                    why = null;
                }
                if (why == null) {
                    unexplained.add(cls + " " + id + " at " + at);
                    why = "UNEXPLAINED";
                }
                classes.merge(cls + " (" + why + ")", 1L, Long::sum);
            }
            if (ended < p.created()) {
                // SIPp's error file names the calls it aborted (a recv timeout): the lost ones
                List<String> aborted = new ArrayList<>();
                // SIPp's UAS, given a late copy of an INVITE it had answered and been ACKed for, answers again with
                // its 200 template filled from the ACK ("CSeq: 1 ACK"): the UAC drops the call. The appliance
                // forwarded the retransmission as a stateless proxy must; SIPp, not the appliance, loses the call
                List<String> errors = lines(p.uacErrors());
                java.util.Set<String> reanswered = new java.util.HashSet<>();
                Matcher r = REANSWERED.matcher(String.join("\n", errors));
                while (r.find()) {
                    reanswered.add(r.group(1));
                }
                for (String line : errors) {
                    Matcher m = ABORTED.matcher(line);
                    while (m.find()) {
                        if (!aborted.contains(m.group(1))) {
                            aborted.add(m.group(1));
                        }
                    }
                }
                // a SIPp Call-ID starts with its call number: the call started about (number - 1) / rate after the UAC
                for (int i = 0; i < p.created() - ended; i++) {
                    String id = i < aborted.size() ? aborted.get(i) : null;
                    Matcher n = id == null ? null : Pattern.compile("^(\\d+)-").matcher(id);
                    long at = n != null && n.find() ? p.uacStartMillis() + (Long.parseLong(n.group(1)) - 1) * 1000 / p.rate()
                            : -1;
                    String why = at < 0 ? null : explain(windows, at, p.path(), LOST);
                    String cause = why == null ? null : "in flight at " + why;
                    if (cause == null && id != null && reanswered.contains(id)) {
                        cause = "SIPp's UAS re-answered a late INVITE copy with its ACK's CSeq";
                    }
                    String entry = p.path() + ": " + (id == null ? "(no Call-ID in SIPp's log)" : id)
                            + (cause == null ? "" : " (" + cause + ")");
                    lost.add(entry);
                    if (cause == null) {
                        unexplained.add("lost " + entry);
                    }
                    classes.merge(p.path() + ": lost (" + (cause == null ? "UNEXPLAINED" : cause) + ")", 1L, Long::sum);
                }
            }
        }
        return new Result(classes, unexplained, lost, calls);
    }

    /** The fault that explains {@code what} for a call started at {@code at} on {@code path}, or null. */
    private static String explain(List<Window> windows, long at, String path, String what) {
        for (Window w : windows) {
            if (w.covers(at, path, what)) {
                return w.fault();
            }
        }
        return null;
    }

    private static List<String> lines(Path f) throws IOException {
        return f != null && Files.exists(f) ? Files.readAllLines(f, StandardCharsets.ISO_8859_1) : List.of();
    }
}
