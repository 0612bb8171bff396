package dev.tether.internal.transport;

import java.util.Arrays;

/**
 * Which member of a composite transport carries one peer: sans-I/O, stepped with the members' up and down reports
 * and the time (any monotonic nanosecond clock), owned by one thread.
 *
 * <p>Members are numbered by priority, 0 the most preferred. A member is <em>eligible</em> while it has the peer up
 * and the composite has not {@linkplain #refused barred} it since that up. The rules:
 *
 * <ol>
 *   <li>While no member is current, the most preferred eligible member becomes current as soon as there is one.
 *   <li>When the current member loses the peer or is barred, the most preferred eligible member, if any, becomes
 *       current at once (failover does not wait: the peer is unreachable meanwhile).
 *   <li>A member more preferred than the current one becomes current once it has had the peer up for {@code
 *       stableNanos} without a break (switch back); a preferred member that flaps never takes over.
 *   <li>Only the current member's frames are delivered ({@link #current()}).
 * </ol>
 *
 * <p>Each step returns a {@link Switch}: the member the engine saw the peer on before ({@link #NONE} if the peer was
 * down) and the one it sees it on now. The owner reports {@code onPeerDown} for a left member and {@code onPeerUp}
 * for a new one, so the engine sees one peer reconnecting.
 */
public final class MemberSelector {
    /** No member: the peer is down. */
    public static final int NONE = -1;

    /** A change of the current member, or {@link #UNCHANGED}. */
    public record Switch(int from, int to) {
        /** Whether the current member changed. */
        public boolean changed() {
            return from != to;
        }
    }

    /** Nothing changed. */
    public static final Switch UNCHANGED = new Switch(NONE, NONE);

    private final long stableNanos;
    private final boolean[] up;
    private final long[] upSince;
    private final boolean[] barred;
    private int current = NONE;

    /** A selector over {@code members} members (at least 1) switching back after {@code stableNanos} (at least 0). */
    public MemberSelector(int members, long stableNanos) {
        if (members < 1) throw new IllegalArgumentException("a composite needs at least one member: " + members);
        if (stableNanos < 0) throw new IllegalArgumentException("negative stable period: " + stableNanos);
        this.stableNanos = stableNanos;
        this.up = new boolean[members];
        this.upSince = new long[members];
        this.barred = new boolean[members];
    }

    /** Member {@code m} reports the peer up at {@code now}. */
    public Switch memberUp(int m, long now) {
        up[m] = true;
        upSince[m] = now;
        barred[m] = false;
        return current == NONE ? moveTo(best()) : UNCHANGED;
    }

    /** Member {@code m} reports the peer down. */
    public Switch memberDown(int m) {
        up[m] = false;
        barred[m] = false;
        return m == current ? moveTo(best()) : UNCHANGED;
    }

    /**
     * The composite refused to report the peer up on member {@code m} (the node's admission said no when asked again):
     * {@code m} is not used until it reports the peer up again or {@link #forgetRefusals} is called. Called for the
     * member a returned {@link Switch} moved to, before reporting it up: the returned switch starts from {@link #NONE}.
     */
    public Switch refused(int m) {
        barred[m] = true;
        if (m != current) return UNCHANGED;
        current = NONE;
        return moveTo(best());
    }

    /** Forgets every refusal (the node named the peer in {@code connect}); may make a member current. */
    public Switch forgetRefusals() {
        Arrays.fill(barred, false);
        return current == NONE ? moveTo(best()) : UNCHANGED;
    }

    /** Switches back to the most preferred member that has been up for the stable period at {@code now}, if any. */
    public Switch tick(long now) {
        for (int m = 0; m < current; m++) {
            if (eligible(m) && now - upSince[m] >= stableNanos) return moveTo(m);
        }
        return UNCHANGED;
    }

    /**
     * When {@link #tick} may next switch back: the earliest time a more preferred eligible member completes its stable
     * period, or {@link Long#MAX_VALUE} if none can.
     */
    public long nextCheckAt() {
        long at = Long.MAX_VALUE;
        for (int m = 0; m < current; m++) {
            // Saturated: a period that runs past the clock's range is never over (not "at once", as an overflow was).
            if (eligible(m)) at = Math.min(at, saturatedAdd(upSince[m], stableNanos));
        }
        return at;
    }

    private static long saturatedAdd(long time, long period) {
        long sum = time + period;
        return ((time ^ sum) & (period ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** The member carrying the peer, or {@link #NONE}. */
    public int current() {
        return current;
    }

    /** Whether member {@code m} has the peer up (as it last reported). */
    public boolean isUp(int m) {
        return up[m];
    }

    private boolean eligible(int m) {
        return up[m] && !barred[m];
    }

    private int best() {
        for (int m = 0; m < up.length; m++) {
            if (eligible(m)) return m;
        }
        return NONE;
    }

    private Switch moveTo(int m) {
        Switch s = new Switch(current, m);
        current = m;
        return s;
    }
}
