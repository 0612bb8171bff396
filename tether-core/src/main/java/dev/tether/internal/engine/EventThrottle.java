package dev.tether.internal.engine;

import dev.tether.TetherEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Limits one kind of event ({@link TetherEvent.ConnectionRejected}, {@link TetherEvent.ProtocolError}, {@link
 * TetherEvent.StoreFailure}; the runtime's {@link TetherEvent.Overflow}) so that a peer sending garbage, a flood of bad connections, or a store failing every
 * retry cannot flood the application's listener: a token bucket
 * allows a burst of {@link #BURST} events, then one every {@link #REFILL_MILLIS} ms. An occurrence without a
 * token is not reported at once; the next event carries how many were held back, and {@link #flush} reports the
 * latest held-back one as soon as a token is free, so a flood that stops is summed up promptly and every
 * occurrence is accounted for: occurrences = events + the sum of their {@code suppressed} counts.
 *
 * <p>One bucket per kind for all remotes, not one per remote, on purpose: the remote a transport reports is no
 * stable key (a TCP remote includes the ephemeral port of each connection; NATS remotes and reasons come from
 * whoever publishes), so per-remote buckets would neither bound the events nor the memory. The cost: during a
 * flood, an occurrence from another remote is likely summed up in a count rather than shown with its reason.
 *
 * <p>A throttle may also have a <b>quiet period per source</b> ({@link #QUIET_MILLIS}), keyed by a function of the
 * source and reason ({@link #refusalKey} for connection refusals: the remote without its port, so the claimed node
 * id and host, and the reason, so that a new reason from the same remote is news and reported at once). An
 * occurrence whose key was reported less than that long ago is held back like one without a token, and a
 * held-back occurrence is flushed only once its key's quiet period is over. A peer refused at every step of its
 * redial backoff is then reported about once per quiet period, each event saying how many were held back, instead of
 * once per dial: the bucket alone refills faster than such a peer redials. At most {@link #MAX_QUIET_KEYS} keys are
 * remembered (the least recently used is forgotten first), so memory stays bounded whoever connects.
 *
 * <p>Pure and single-threaded like the engine: time (milliseconds, any origin) is an argument. Time going
 * backwards adds no tokens.
 *
 * @param <S> what the event names as its source (a remote address, a peer id; nothing for the store)
 * @param <E> the event
 */
public final class EventThrottle<S, E extends TetherEvent> {
    /** Makes the event for {@code source} and {@code reason}, after {@code suppressed} held-back ones. */
    @FunctionalInterface
    public interface Factory<S, E> {
        E event(S source, String reason, long suppressed);
    }

    static final int BURST = 10;
    static final long REFILL_MILLIS = 500;
    static final long QUIET_MILLIS = 30_000;
    static final int MAX_QUIET_KEYS = 1_024;

    private int tokens = BURST;
    private long refilledAt;
    private boolean started;

    private final Factory<S, E> factory;
    /** The key of an occurrence's quiet period (from its source and reason), or null for none. */
    private final BiFunction<S, String, String> keyOf;
    /** When each key was last reported, least recently used first. */
    private final LinkedHashMap<String, Long> reportedAt = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_QUIET_KEYS;
        }
    };

    private long suppressed;
    private S lastSource;
    private String lastReason;

    /** A throttle with the bucket only. */
    public EventThrottle(Factory<S, E> factory) {
        this(factory, null);
    }

    /** A throttle with the bucket and a quiet period per {@code keyOf(source, reason)}. */
    EventThrottle(Factory<S, E> factory, BiFunction<S, String, String> keyOf) {
        this.factory = factory;
        this.keyOf = keyOf;
    }

    /**
     * The remote of a connection refusal without a trailing {@code :port} (the ephemeral port of each dial):
     * {@code "b at /10.0.0.7:40000"} gives {@code "b at /10.0.0.7"}; a remote without a port stays as it is.
     */
    static String hostKey(String remote) {
        int colon = remote.lastIndexOf(':');
        if (colon <= 0 || colon == remote.length() - 1) return remote;
        for (int i = colon + 1; i < remote.length(); i++) {
            if (!Character.isDigit(remote.charAt(i))) return remote;
        }
        return remote.substring(0, colon);
    }

    /** It happened at {@code now}: returns the event to emit, or null if it is held back. */
    public E offer(long now, S source, String reason) {
        refill(now);
        if (tokens == 0 || quiet(now, source, reason)) {
            suppressed++;
            lastSource = source;
            lastReason = reason;
            return null;
        }
        tokens--;
        E e = factory.event(source, reason, suppressed);
        reported(now, source, reason);
        clear();
        return e;
    }

    /**
     * {@code count} occurrences that happened but could not be offered one by one (a bounded queue in front of the
     * throttle overflowed), the latest of them from {@code source} for {@code reason}: held back like those without a
     * token, so the next event counts them.
     */
    public void heldBack(S source, String reason, long count) {
        if (count <= 0) return;
        suppressed += count;
        lastSource = source;
        lastReason = reason;
    }

    /**
     * Returns an event for the latest held-back occurrence (carrying the count of the others) if there is one
     * and a token is free at {@code now}; otherwise null.
     */
    public E flush(long now) {
        if (suppressed == 0) return null;
        refill(now);
        if (tokens == 0 || quiet(now, lastSource, lastReason)) return null;
        tokens--;
        E e = factory.event(lastSource, lastReason, suppressed - 1);
        reported(now, lastSource, lastReason);
        clear();
        return e;
    }

    /** Whether the same key was reported less than {@link #QUIET_MILLIS} before {@code now}. */
    private boolean quiet(long now, S source, String reason) {
        if (keyOf == null) return false;
        Long at = reportedAt.get(keyOf.apply(source, reason));
        return at != null && now - at < QUIET_MILLIS;
    }

    private void reported(long now, S source, String reason) {
        if (keyOf != null) reportedAt.put(keyOf.apply(source, reason), now);
    }

    /** The quiet-period keys remembered, least recently used first (for tests: the bound on memory). */
    List<String> quietKeys() {
        return List.copyOf(reportedAt.keySet());
    }

    /** The quiet-period key of a connection refusal: {@link #hostKey} of the remote, and the reason. */
    static String refusalKey(String remote, String reason) {
        return hostKey(remote) + '\n' + reason;
    }

    private void clear() {
        suppressed = 0;
        lastSource = null;
        lastReason = null;
    }

    private void refill(long now) {
        if (!started || now < refilledAt) {
            started = true;
            refilledAt = now;
            return;
        }
        long earned = (now - refilledAt) / REFILL_MILLIS;
        if (earned == 0) return;
        if (earned >= BURST - tokens) {
            tokens = BURST;
            refilledAt = now;
        } else {
            tokens += (int) earned;
            refilledAt += earned * REFILL_MILLIS;
        }
    }
}
