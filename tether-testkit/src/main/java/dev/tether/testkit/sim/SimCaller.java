package dev.tether.testkit.sim;

import dev.tether.internal.engine.StreamKey;
import dev.tether.testkit.sim.HistoryEvent.CallCompleted;
import dev.tether.testkit.sim.HistoryEvent.CallWaiting;
import dev.tether.testkit.sim.HistoryEvent.CancelRequested;
import dev.tether.testkit.sim.HistoryEvent.ReplyDropped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The calling side of one simulated node's application, as the call layer's caller behaves: a future per request,
 * completed exactly once by its reply, its deadline, the failure of its send, or the node's shutdown; a crash takes
 * the futures with it. Every completion is recorded for {@link CallRules}. Single-threaded, like the simulation.
 */
final class SimCaller {
    private final String node;
    private final Consumer<HistoryEvent> history;
    private final BooleanSupplier completeTwice;
    /** Waiting requests of this incarnation: message id to deadline. */
    private final Map<Long, Long> waiting = new LinkedHashMap<>();
    /** Send token to message id, until the send is accepted or rejected. */
    private final Map<Long, Long> unanswered = new HashMap<>();
    /** Where each waiting request was stored, once its send was accepted: message id to stream and seq. */
    private final Map<Long, Stored> stored = new HashMap<>();

    /** Where a request was stored: message {@code seq} of the stream to {@code receiver} on {@code lane}. */
    record Stored(String receiver, String lane, long seq) {}

    /** {@code completeTwice} tells, once, to complete a future twice (sabotage for the checker's tests). */
    SimCaller(String node, Consumer<HistoryEvent> history, BooleanSupplier completeTwice) {
        this.node = node;
        this.history = history;
        this.completeTwice = completeTwice;
    }

    /** The application made request {@code msgId} (send {@code token}) with {@code deadline}. */
    void waiting(long now, long msgId, long token, long deadline) {
        history.accept(new CallWaiting(now, node, msgId, deadline));
        waiting.put(msgId, deadline);
        unanswered.put(token, msgId);
    }

    void accepted(long token, StreamKey key, long seq) {
        Long msgId = unanswered.remove(token);
        if (msgId != null && waiting.containsKey(msgId))
            stored.put(msgId, new Stored(key.peer().value(), key.lane(), seq));
    }

    /**
     * The application cancels request {@code msgId}: if it is still waiting, its future completes now ({@code
     * "cancelled"}, a later reply is dropped); returns where it is stored, for the engine to withdraw it, or null if
     * it is not waiting any more or not stored yet (the call layer then withdraws it once stored; not modelled).
     */
    Stored cancel(long now, long msgId) {
        if (waiting.remove(msgId) == null) return null;
        complete(now, msgId, "cancelled");
        Stored at = stored.remove(msgId);
        if (at != null) history.accept(new CancelRequested(now, node, at.receiver(), at.lane(), at.seq(), msgId));
        return at;
    }

    /** The send of a request failed: nothing was stored, its future fails. */
    void rejected(long now, long token) {
        Long msgId = unanswered.remove(token);
        if (msgId != null && waiting.remove(msgId) != null) complete(now, msgId, "rejected");
    }

    /** Futures whose deadline passed fail now (the call layer checks every turn). */
    void tick(long now) {
        List<Long> due = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Long>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() <= now) {
                due.add(e.getKey());
                it.remove();
            }
        }
        for (long msgId : due) complete(now, msgId, "deadline");
    }

    /** A reply to {@code requestMsgId} reached the application: it completes its future, or is dropped. */
    void reply(long now, long requestMsgId) {
        Long deadline = waiting.remove(requestMsgId);
        if (deadline == null) {
            history.accept(new ReplyDropped(now, node, requestMsgId));
        } else if (now >= deadline) { // before this turn's tick: the deadline wins
            complete(now, requestMsgId, "deadline");
            history.accept(new ReplyDropped(now, node, requestMsgId));
        } else {
            complete(now, requestMsgId, "reply");
        }
    }

    /** The node shut down: every waiting future fails. */
    void closed(long now) {
        List<Long> all = new ArrayList<>(waiting.keySet());
        waiting.clear();
        unanswered.clear();
        stored.clear();
        for (long msgId : all) complete(now, msgId, "closed");
    }

    /** The node crashed: its futures are gone with it. */
    void crashed() {
        waiting.clear();
        unanswered.clear();
        stored.clear();
    }

    private void complete(long now, long msgId, String how) {
        if (!how.equals("cancelled")) stored.remove(msgId);
        history.accept(new CallCompleted(now, node, msgId, how));
        if (completeTwice.getAsBoolean()) history.accept(new CallCompleted(now, node, msgId, how));
    }
}
