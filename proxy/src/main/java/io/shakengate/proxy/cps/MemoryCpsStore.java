package io.shakengate.proxy.cps;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The embedded CPS store: a concurrent map from "dest/orig" to the PASSporTs of that call with their expiry,
 * and a map of seen token ids. Bounded: at most {@code maxPerCall} PASSporTs per call, {@code maxCalls} calls
 * and as many remembered token ids; expired entries are dropped when touched and by {@link #sweep()}, which
 * the CPS server runs every second. Lock-free reads; a publish updates one call's list atomically
 * ({@code compute}).
 */
public final class MemoryCpsStore implements CpsStore {
    private record Stored(String passport, long expiresAt) {
    }

    private final int maxPerCall;
    private final int maxCalls;
    private final LongSupplier clockMillis;
    private final ConcurrentHashMap<String, List<Stored>> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> jtis = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** A store keeping at most {@code maxPerCall} PASSporTs per call and {@code maxCalls} calls. */
    public MemoryCpsStore(int maxPerCall, int maxCalls, LongSupplier clockMillis) {
        this.maxPerCall = maxPerCall;
        this.maxCalls = maxCalls;
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<Outcome> publish(String dest, String orig, List<String> passports, long expiresAtMillis,
                                              String jti, long jtiExpiresAtMillis) {
        long now = clockMillis.getAsLong();
        if (jtis.size() >= maxCalls * 2 && jtis.get(jti) == null) {
            sweep();
            if (jtis.size() >= maxCalls * 2) {
                return CompletableFuture.completedFuture(Outcome.FULL);
            }
        }
        Long seen = jtis.putIfAbsent(jti, jtiExpiresAtMillis);
        if (seen != null && seen > now) {
            return CompletableFuture.completedFuture(Outcome.REPLAYED);
        }
        if (seen != null) {
            jtis.put(jti, jtiExpiresAtMillis);
        }
        String key = dest + "/" + orig;
        Outcome[] outcome = {Outcome.STORED};
        calls.compute(key, (k, old) -> {
            List<Stored> live = new ArrayList<>(old == null ? passports.size() : old.size() + passports.size());
            if (old != null) {
                for (Stored s : old) {
                    if (s.expiresAt() > now) {
                        live.add(s);
                    }
                }
            } else if (size.get() >= maxCalls) {
                outcome[0] = Outcome.FULL;
                return null;
            }
            if (live.size() + passports.size() > maxPerCall) {
                outcome[0] = Outcome.TOO_MANY;
                return old == null ? null : live.isEmpty() ? null : List.copyOf(live);
            }
            for (String p : passports) {
                live.add(new Stored(p, expiresAtMillis));
            }
            if (old == null) {
                size.incrementAndGet();
            }
            return List.copyOf(live);
        });
        return CompletableFuture.completedFuture(outcome[0]);
    }

    @Override
    public CompletableFuture<List<String>> retrieve(String dest, String orig) {
        List<Stored> stored = calls.get(dest + "/" + orig);
        if (stored == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        long now = clockMillis.getAsLong();
        List<String> out = new ArrayList<>(stored.size());
        for (Stored s : stored) {
            if (s.expiresAt() > now) {
                out.add(s.passport());
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    /** Drops every expired PASSporT, call and token id. */
    public void sweep() {
        long now = clockMillis.getAsLong();
        for (Iterator<Map.Entry<String, List<Stored>>> it = calls.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, List<Stored>> e = it.next();
            calls.computeIfPresent(e.getKey(), (k, list) -> {
                List<Stored> live = list.stream().filter(s -> s.expiresAt() > now).toList();
                if (live.isEmpty()) {
                    size.decrementAndGet();
                    return null;
                }
                return live;
            });
        }
        jtis.values().removeIf(exp -> exp <= now);
    }

    /** Calls held now (tests, metrics). */
    public int calls() {
        return size.get();
    }

    @Override
    public String describe() {
        return "memory (at most " + maxPerCall + " PASSporTs per call, " + maxCalls + " calls)";
    }

    @Override
    public void close() {
        calls.clear();
        jtis.clear();
    }
}
