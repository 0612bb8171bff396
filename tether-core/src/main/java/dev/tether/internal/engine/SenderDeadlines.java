package dev.tether.internal.engine;

import dev.tether.Outcome;
import dev.tether.TetherEvent;
import java.util.PriorityQueue;

/**
 * Expiry at the sender (docs/PROTOCOL.md, sender step 9): the outbound streams by the earliest deadline of a message
 * that may expire here, one entry per stream at a time ({@link SenderExpiry#toSchedule}), so that a tick only looks at
 * the head and costs nothing while nothing is due. Part of {@link Senders}; the engine's thread only.
 */
final class SenderDeadlines {
    private final EngineOutput out;
    /** The senders' streams whose store holds settled messages: one that expires some gets a trim. */
    private final StreamSet<OutStream> trimDirty;

    private final PriorityQueue<Due> due = new PriorityQueue<>((x, y) -> Long.compare(x.at(), y.at()));

    private record Due(long at, OutStream stream) {}

    SenderDeadlines(EngineOutput out, StreamSet<OutStream> trimDirty) {
        this.out = out;
        this.trimDirty = trimDirty;
    }

    /** Expires the streams' messages whose deadline passed before they were ever transmitted. */
    void expireDue(long now) {
        while (!due.isEmpty() && due.peek().at() <= now) {
            Due d = due.poll();
            OutStream s = d.stream();
            if (!s.expiry.fires(d.at()) || s.detached()) continue;
            long settledBefore = s.settledSeq();
            for (long seq = s.expireNext(now); seq > 0; seq = s.expireNext(now)) {
                out.outcome(s.key, seq, Outcome.EXPIRED);
                out.event(new TetherEvent.SendExpired(s.key.peer(), s.key.lane(), seq));
            }
            if (s.settledSeq() > settledBefore && !s.isVolatile()) trimDirty.add(s);
            schedule(s);
        }
    }

    /** Makes sure {@link #expireDue} looks at {@code s} when its earliest deadline passes. */
    void schedule(OutStream s) {
        long at = s.expiry.toSchedule();
        if (at != Long.MAX_VALUE) due.add(new Due(at, s));
    }
}
