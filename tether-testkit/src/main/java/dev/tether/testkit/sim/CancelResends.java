package dev.tether.testkit.sim;

import dev.tether.ProtocolException;
import dev.tether.internal.engine.Frame;
import dev.tether.internal.engine.FrameCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A rule the simulation checks as it runs (docs/PROTOCOL.md, "Withdrawal is repeated until its outcome is known"): a
 * withdrawal the network lost on a connection that stays up is sent again. When the network drops a CANCEL of message
 * {@code seq} of a stream, or a DATA frame carrying its CANCELLED marker, the sender must transmit a withdrawal of it
 * again (a CANCEL or a marker, lost or not) within {@link #bound} while it has not learnt the outcome (its
 * acknowledgment passed {@code seq}), the sending incarnation lives and its view of the connection is the one the frame
 * was lost on; otherwise the run gets an anomaly. The bound is two of the largest retransmission timeouts and two ticks
 * (a resend backs off to the largest; a stream with more than 64 to send again takes two rounds; a resend due waits
 * for the next tick). This is what the checker cannot tell from a history: a cancelled call that ran may have started
 * before its withdrawal arrived, or after a lost CANCEL that was never sent again.
 *
 * <p>Looks at frames only while some withdrawal is lost (DATA) or for CANCELs, and draws nothing from the run's random
 * sequence: a seed's run is the one it was without the rule.
 */
final class CancelResends {
    /** A message of a stream, from the node with index {@code from} to the one with index {@code to}. */
    private record Key(int from, int to, String lane, long seq) {}

    /** A withdrawal lost at {@code at}, sent by incarnation {@code incarnation} on connection {@code gen}. */
    private record Lost(long at, int incarnation, int gen) {}

    /** Whether the sending node still runs incarnation {@code inc} and sees connection {@code gen} to {@code to} up. */
    interface Connection {
        boolean same(int from, int inc, int to, int gen);
    }

    private final long bound;
    private final Map<Key, Lost> lost = new HashMap<>();
    private long resentAfterLoss;

    CancelResends(long maxRetransmitMillis, long tickMillis) {
        this.bound = 2 * maxRetransmitMillis + 2 * tickMillis;
    }

    /** Node {@code from} (incarnation {@code inc}) transmitted {@code frame} to {@code to} on {@code gen}. */
    void transmitted(long now, int from, int inc, int to, int gen, byte[] frame, boolean dropped) {
        int type = frame[2]; // after the magic and the version
        if (type != Frame.CANCEL && (type != Frame.DATA || lost.isEmpty() && !dropped)) return;
        Frame f;
        try {
            f = FrameCodec.decode(ByteBuffer.wrap(frame));
        } catch (ProtocolException e) {
            return; // the receiver refuses it; not a withdrawal
        }
        if (f instanceof Frame.Cancel c) {
            withdrawal(now, new Key(from, to, c.lane(), c.seq()), inc, gen, dropped);
        } else if (f instanceof Frame.Data d) {
            List<Frame.Message> messages = d.messages();
            for (int i = 0; i < messages.size(); i++) {
                if (!messages.get(i).has(Frame.Message.CANCELLED)) continue;
                withdrawal(now, new Key(from, to, d.lane(), d.firstSeq() + i), inc, gen, dropped);
            }
        }
    }

    private void withdrawal(long now, Key k, int inc, int gen, boolean dropped) {
        if (lost.remove(k) != null) resentAfterLoss++;
        if (dropped) lost.put(k, new Lost(now, inc, gen));
    }

    /** Node {@code from} learnt that its stream to {@code to} on {@code lane} is acknowledged up to {@code upTo}. */
    void acked(int from, int to, String lane, long upTo) {
        if (lost.isEmpty()) return;
        lost.keySet()
                .removeIf(k -> k.from() == from
                        && k.to() == to
                        && k.seq() <= upTo
                        && k.lane().equals(lane));
    }

    /**
     * The withdrawals of node {@code from} lost more than the bound ago and not sent again, while its incarnation and
     * connection stayed: each described, and forgotten. Those whose incarnation or connection changed are forgotten.
     */
    List<String> overdue(long now, int from, Connection connection) {
        List<String> late = List.of();
        for (Iterator<Map.Entry<Key, Lost>> it = lost.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Lost> e = it.next();
            Key k = e.getKey();
            Lost l = e.getValue();
            if (k.from() != from) continue;
            if (!connection.same(from, l.incarnation(), k.to(), l.gen())) {
                it.remove(); // a new connection opens the stream again, and sends what the receiver holds at once
            } else if (now - l.at() > bound) {
                if (late.isEmpty()) late = new ArrayList<>();
                late.add("withdrawal of n" + k.from() + "->n" + k.to() + "/" + k.lane() + "#" + k.seq() + " lost at t="
                        + l.at() + " and not sent again within " + bound + " ms, the message unsettled and the"
                        + " connection up");
                it.remove();
            }
        }
        return late;
    }

    /** The CANCELs sent so far, for {@link Simulation.Sabotage#NO_CANCEL_RESEND}. */
    private final java.util.Set<Key> cancelsSent = new java.util.HashSet<>();

    /** Whether {@code frame} is a CANCEL node {@code from} sent {@code to} before (the sabotage suppresses it). */
    boolean repeated(int from, int to, byte[] frame) {
        if (frame[2] != Frame.CANCEL) return false;
        Frame.Cancel c = (Frame.Cancel) FrameCodec.decode(ByteBuffer.wrap(frame));
        return !cancelsSent.add(new Key(from, to, c.lane(), c.seq()));
    }

    /** Withdrawals sent again after one was lost: that the rule was exercised. */
    long resentAfterLoss() {
        return resentAfterLoss;
    }
}
