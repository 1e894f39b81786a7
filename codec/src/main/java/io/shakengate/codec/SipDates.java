package io.shakengate.codec;


/**
 * The SIP Date header: an RFC 1123 date that MUST be in GMT (RFC 3261 section 20.17), e.g.
 * {@code Thu, 01 Jan 2026 00:00:00 GMT}. Strict: another zone is {@link SipParseError#DATE_INVALID}
 * (RFC 4475 section 3.1.2.12).
 */
public final class SipDates {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};

    private SipDates() {
    }

    /** Seconds since the epoch of the date in [s, e), or throws DATE_INVALID. */
    static long parse(byte[] buf, int base, int s, int e) {
        // "Thu, 01 Jan 2026 00:00:00 GMT" is exactly 29 bytes.
        if (e - s != 29 || buf[s + 3] != ',' || buf[s + 4] != ' ' || buf[s + 7] != ' '
                || buf[s + 11] != ' ' || buf[s + 16] != ' ' || buf[s + 19] != ':'
                || buf[s + 22] != ':' || buf[s + 25] != ' '
                || !Ascii.equals(buf, s + 26, s + 29, "GMT") || indexOf(DAYS, buf, s) < 0) {
            throw new SipParseException(SipParseError.DATE_INVALID, s - base);
        }
        int month = indexOf(MONTHS, buf, s + 8);
        long day = Ascii.parseDecimal(buf, s + 5, s + 7, 31);
        long year = Ascii.parseDecimal(buf, s + 12, s + 16, 9999);
        long hour = Ascii.parseDecimal(buf, s + 17, s + 19, 23);
        long min = Ascii.parseDecimal(buf, s + 20, s + 22, 59);
        long sec = Ascii.parseDecimal(buf, s + 23, s + 25, 60);
        if (month < 0 || day < 1 || year < 1970 || hour < 0 || min < 0 || sec < 0
                || day > java.time.YearMonth.of((int) year, month + 1).lengthOfMonth()) {
            throw new SipParseException(SipParseError.DATE_INVALID, s - base);
        }
        return epochDay(year, month + 1, day) * 86400 + hour * 3600 + min * 60 + sec;
    }

    /** Formats epoch seconds as a SIP Date value. */
    public static String format(long epochSeconds) {
        long days = Math.floorDiv(epochSeconds, 86400);
        long secs = Math.floorMod(epochSeconds, 86400);
        java.time.LocalDate d = java.time.LocalDate.ofEpochDay(days);
        return String.format(java.util.Locale.ROOT, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                DAYS[d.getDayOfWeek().getValue() - 1], d.getDayOfMonth(), MONTHS[d.getMonthValue() - 1], d.getYear(),
                secs / 3600, (secs / 60) % 60, secs % 60);
    }

    private static int indexOf(String[] names, byte[] buf, int s) {
        for (int i = 0; i < names.length; i++) {
            if (Ascii.equals(buf, s, s + 3, names[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    private static long epochDay(long y, long m, long d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }
}
