package dev.tether.internal.engine;

/**
 * The attempts of an inbound stream's buffered messages that are still their sending half's stored message (a
 * loopback stream's, handed over without flags at the default level; see {@link InStream}), counted by position
 * instead of by an {@link InMessage} each: the node thread no longer makes an object per message only to count that
 * it was handed out once.
 *
 * <p>The model: messages are attempted in sequence order from the head, a run at a time ({@code Receivers} builds a
 * run from the first unsettled message on, and a run extended continues after its last), and when a run reports,
 * those after the last one it handed out were not attempted. So the stored messages attempted form a prefix of the
 * buffer: those up to {@link #upTo} were handed out once, those after it never. Only a first attempt is counted here:
 * a stored message about to be attempted again is made an {@link InMessage} first (with the one attempt this gives
 * it, {@link #of}), which counts for itself from then on. The engine's thread only.
 */
final class FirstAttempts {
    /** The stored messages up to here (and after the stream's cursor) were attempted once; those after it never. */
    private long upTo;
    /** The first stored message counted by the run being built or out, or 0 if it counted none. */
    private long runFrom;

    /** The stream starts over after {@code cursor}: nothing buffered was attempted. */
    void reset(long cursor) {
        upTo = cursor;
        runFrom = 0;
    }

    /** How often stored message {@code seq} was attempted: once or never. */
    int of(long seq) {
        return seq <= upTo ? 1 : 0;
    }

    /** Whether stored message {@code seq} was never attempted. */
    boolean fresh(long seq) {
        return seq > upTo;
    }

    /**
     * Stored message {@code seq}, never attempted, is attempted now: it joins the run being built, every message of
     * which before it was attempted too.
     */
    void counted(long seq) {
        if (runFrom == 0) runFrom = seq;
        upTo = seq;
    }

    /**
     * The run reported: of its messages, none after {@code handed} was attempted. The stored ones among those were
     * all counted by this run (one attempted before would have joined it as an {@link InMessage}), so they are fresh
     * again; a stored message the run did not reach keeps its count.
     */
    void runEnded(long handed) {
        if (runFrom != 0) upTo = Math.min(upTo, Math.max(handed, runFrom - 1));
        runFrom = 0;
    }
}
