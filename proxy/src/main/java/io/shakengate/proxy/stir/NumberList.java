package io.shakengate.proxy.stir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A list of telephone numbers for authentication rules (customers' DIDs, ported-in blocks): canonical
 * E.164 prefixes ({@code 1215555}) and ranges of equal-length numbers ({@code 12155550000-12155559999}), one
 * per line of a file, {@code #} comments and blank lines skipped. Lookups cost one hash probe per prefix
 * length and one binary search: lists of a million entries are fine.
 */
public final class NumberList {
    private final Set<String> prefixes;
    private final int[] prefixLengths;
    private final long[] rangeStarts;
    private final long[] rangeEnds;
    private final int[] rangeLengths;
    private final int size;

    private NumberList(Set<String> prefixes, List<long[]> ranges) {
        this.prefixes = Set.copyOf(prefixes);
        TreeSet<Integer> lengths = new TreeSet<>();
        for (String p : prefixes) {
            lengths.add(p.length());
        }
        this.prefixLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
        ranges.sort((a, b) -> a[2] != b[2] ? Long.compare(a[2], b[2]) : Long.compare(a[0], b[0]));
        // merge overlapping or adjacent ranges of one length: disjoint ranges need one binary search per lookup
        List<long[]> merged = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last[2] == r[2] && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        ranges = merged;
        rangeStarts = ranges.stream().mapToLong(r -> r[0]).toArray();
        rangeEnds = ranges.stream().mapToLong(r -> r[1]).toArray();
        rangeLengths = ranges.stream().mapToInt(r -> (int) r[2]).toArray();
        size = prefixes.size() + rangeStarts.length;
    }

    /**
     * Reads {@code file}. A line that is neither a prefix nor a range is refused with its line number; so is
     * a range whose ends differ in length or are reversed.
     */
    public static NumberList read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Set<String> prefixes = new HashSet<>();
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String v = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (v.startsWith("+")) {
                v = v.substring(1);
            }
            if (v.isEmpty()) {
                continue;
            }
            int dash = v.indexOf('-');
            String a = dash < 0 ? v : v.substring(0, dash).trim();
            String b = dash < 0 ? null : v.substring(dash + 1).trim();
            if (b != null && b.startsWith("+")) {
                b = b.substring(1);
            }
            if (!digits(a) || (b != null && !digits(b))) {
                throw new IOException(file + ": line " + (i + 1) + ": not a number prefix or a range: '" + line.trim()
                        + "'");
            }
            if (b == null) {
                prefixes.add(a);
                continue;
            }
            if (a.length() != b.length() || Long.parseLong(a) > Long.parseLong(b)) {
                throw new IOException(file + ": line " + (i + 1) + ": a range needs two numbers of the same length, "
                        + "the first not above the second: '" + line.trim() + "'");
            }
            ranges.add(new long[] {Long.parseLong(a), Long.parseLong(b), a.length()});
        }
        return new NumberList(prefixes, ranges);
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** True if canonical {@code number} starts with a listed prefix or lies in a listed range. */
    public boolean contains(String number) {
        if (number == null) {
            return false;
        }
        for (int len : prefixLengths) {
            if (len > number.length()) {
                break;
            }
            if (prefixes.contains(number.substring(0, len))) {
                return true;
            }
        }
        if (rangeStarts.length == 0 || number.length() > 18 || !digits(number)) {
            return false;
        }
        long n = Long.parseLong(number);
        int len = number.length();
        // ranges sorted by (length, start): the candidate is the last range of this length starting at or below n
        int lo = 0;
        int hi = rangeStarts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = rangeLengths[mid] != len ? Integer.compare(rangeLengths[mid], len) : Long.compare(rangeStarts[mid], n);
            if (c <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && rangeLengths[found] == len && rangeEnds[found] >= n;
    }

    /** Entries (prefixes and ranges). */
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return size + " entries (" + prefixes.size() + " prefixes, " + rangeStarts.length + " ranges"
                + (rangeLengths.length == 0 ? "" : ", lengths " + Arrays.toString(Arrays.stream(rangeLengths).distinct()
                .toArray())) + ")";
    }
}
