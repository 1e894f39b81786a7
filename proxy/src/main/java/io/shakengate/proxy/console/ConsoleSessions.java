package io.shakengate.proxy.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console's sessions and the login rate limit. A session is a random 256-bit id in a cookie
 * ({@code HttpOnly; Secure; SameSite=Strict}) with its own random CSRF token, which every change must carry; it
 * ends after {@code sessionMinutes} unused or at logout. Wrong passwords are counted per client address and per
 * user name in a fixed window; at {@code loginFailures} in the window further logins from that address or for
 * that user are refused (429) until the window ends, without a password check.
 */
public final class ConsoleSessions {
    /** A logged-in user. */
    public record Session(String id, String user, ConsoleUsers.Role role, String csrf, long createdMillis) {
    }

    /** The login outcomes counted. */
    public enum Login { OK, FAILED, RATE_LIMITED }

    /** The refusals counted. */
    public enum Refused { NO_SESSION, CSRF, FORBIDDEN }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Sessions at most (the oldest go first beyond). */
    static final int MAX_SESSIONS = 1024;
    /** Addresses and names whose failures are remembered at most. */
    static final int MAX_TRACKED = 65_536;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();
    private final AtomicLong[] logins = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong[] refused = {new AtomicLong(), new AtomicLong(), new AtomicLong()};

    /** A new session for {@code user}. */
    public Session open(ConsoleUsers.User user, long now) {
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(java.util.Comparator.comparingLong(Session::createdMillis))
                    .ifPresent(s -> close(s.id()));
        }
        Session s = new Session(token(), user.name(), user.role(), token(), now);
        sessions.put(s.id(), s);
        lastUsed.put(s.id(), now);
        return s;
    }

    /** The session of cookie value {@code id}, if open and used within {@code idleMillis}; marks it used. */
    public Session find(String id, long now, long idleMillis) {
        if (id == null) {
            return null;
        }
        Session s = sessions.get(id);
        Long used = s == null ? null : lastUsed.get(id);
        if (s == null || used == null || now - used > idleMillis) {
            if (s != null) {
                close(id);
            }
            return null;
        }
        lastUsed.put(id, now);
        return s;
    }

    /** Ends a session. */
    public void close(String id) {
        sessions.remove(id);
        lastUsed.remove(id);
    }

    /** Whether {@code given} is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(Session s, String given) {
        return given != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether a login from {@code address} for {@code user} is refused now (too many failures in the window). */
    public boolean limited(String address, String user, long now, int maxFailures, long windowMillis) {
        return over("a:" + address, now, maxFailures, windowMillis) || over("u:" + user, now, maxFailures, windowMillis);
    }

    /** Notes a wrong password. */
    public void failed(String address, String user, long now, long windowMillis) {
        if (failures.size() >= MAX_TRACKED) {
            sweep(now, windowMillis);
        }
        for (String k : new String[] {"a:" + address, "u:" + user}) {
            failures.compute(k, (key, w) -> w == null || now - w[0] >= windowMillis ? new long[] {now, 1}
                    : new long[] {w[0], w[1] + 1});
        }
    }

    private boolean over(String key, long now, int max, long windowMillis) {
        long[] w = failures.get(key);
        return w != null && now - w[0] < windowMillis && w[1] >= max;
    }

    private void sweep(long now, long windowMillis) {
        for (Iterator<long[]> i = failures.values().iterator(); i.hasNext(); ) {
            if (now - i.next()[0] >= windowMillis) {
                i.remove();
            }
        }
        if (failures.size() >= MAX_TRACKED) {
            failures.clear(); // a flood of names: forget rather than grow
        }
    }

    /** Counts a login outcome. */
    public void count(Login l) {
        logins[l.ordinal()].incrementAndGet();
    }

    /** Counts a refusal. */
    public void count(Refused r) {
        refused[r.ordinal()].incrementAndGet();
    }

    /** The count of a login outcome. */
    public long get(Login l) {
        return logins[l.ordinal()].get();
    }

    /** The count of a refusal. */
    public long get(Refused r) {
        return refused[r.ordinal()].get();
    }

    /** Sessions open now. */
    public int open() {
        return sessions.size();
    }

    /** The Prometheus families of the console. */
    public String metrics() {
        StringBuilder b = new StringBuilder(512);
        b.append("# HELP shakengate_console_logins_total Console login attempts by result\n")
                .append("# TYPE shakengate_console_logins_total counter\n");
        for (Login l : Login.values()) {
            b.append("shakengate_console_logins_total{result=\"").append(l.name().toLowerCase(java.util.Locale.ROOT))
                    .append("\"} ").append(get(l)).append('\n');
        }
        b.append("# HELP shakengate_console_refused_total Console requests refused by reason\n")
                .append("# TYPE shakengate_console_refused_total counter\n");
        for (Refused r : Refused.values()) {
            b.append("shakengate_console_refused_total{reason=\"").append(r.name().toLowerCase(java.util.Locale.ROOT))
                    .append("\"} ").append(get(r)).append('\n');
        }
        b.append("# HELP shakengate_console_sessions Console sessions open\n")
                .append("# TYPE shakengate_console_sessions gauge\nshakengate_console_sessions ").append(open())
                .append('\n');
        return b.toString();
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
