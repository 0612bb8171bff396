package dev.tether.testkit.sim;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.CallCompleted;
import dev.tether.testkit.sim.HistoryEvent.CallWaiting;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.DeadLettered;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.Expired;
import dev.tether.testkit.sim.HistoryEvent.ReplyDropped;
import dev.tether.testkit.sim.HistoryEvent.ReplyMade;
import dev.tether.testkit.sim.HistoryEvent.Stopped;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The rules {@link HistoryChecker} applies to requests (calls with a reply), on top of those of every message:
 *
 * <ul>
 *   <li><b>duplicated</b>: a request with more than one committed reply, so executed more than once per committed
 *       reply; or a caller's future completed more than once;
 *   <li><b>lost</b>: a request whose receiver's cursor was committed past it while its settlement in that
 *       receiver's lifetime was "processed" (not expired or dead-lettered), with no reply committed by then: the
 *       reply must be stored with that cursor, in the same batch (settle-with-effects), never after it;
 *   <li><b>late</b>: a future completed with a reply at or after its deadline;
 *   <li><b>liveness</b>: a future never completed although its caller did not crash and the run outlived its
 *       deadline.
 * </ul>
 */
final class CallRules {
    private record StreamKey(String sender, String receiver, String lane) {}

    private static final class Call {
        final CallWaiting waiting;
        final int callerCrashesAtWait;
        StreamKey stream;
        long seq;
        /** Its settlement in its receiver's current lifetime was a successful processing. */
        boolean processed;
        /** A cursor past it was committed: the reply rule was checked then. */
        boolean acknowledged;

        int committedReplies;
        int completions;

        Call(CallWaiting waiting, int callerCrashesAtWait) {
            this.waiting = waiting;
            this.callerCrashesAtWait = callerCrashesAtWait;
        }
    }

    private final CheckReport report;
    private final Consumer<String> count;
    private final Map<Long, Call> calls = new LinkedHashMap<>();
    /** Reply message id to request message id. */
    private final Map<Long, Long> replies = new HashMap<>();

    /** Requests by stream and sequence number, once their commit is known. */
    private final Map<StreamKey, TreeMap<Long, Call>> byStream = new HashMap<>();

    private final Map<String, Integer> crashes = new HashMap<>();
    private long lastTime;

    CallRules(CheckReport report, Consumer<String> count) {
        this.report = report;
        this.count = count;
    }

    /** Every event of the history, in order. */
    void observe(HistoryEvent e) {
        lastTime = Math.max(lastTime, e.time());
        if (e instanceof CallWaiting w) {
            count.accept("requests");
            calls.put(w.msgId(), new Call(w, crashes.getOrDefault(w.caller(), 0)));
        } else if (e instanceof ReplyMade r) {
            replies.put(r.replyMsgId(), r.requestMsgId());
        } else if (e instanceof Committed c) {
            committed(c);
        } else if (e instanceof Delivered d && d.ok()) {
            Call call = calls.get(d.msgId());
            if (call != null) call.processed = true;
        } else if (e instanceof Expired x) {
            settledWithout(new StreamKey(x.sender(), x.receiver(), x.lane()), x.seq());
        } else if (e instanceof DeadLettered d) {
            settledWithout(new StreamKey(d.sender(), d.receiver(), d.lane()), d.seq());
        } else if (e instanceof CursorCommitted c) {
            cursorCommitted(c);
        } else if (e instanceof CallCompleted c) {
            completed(c);
        } else if (e instanceof ReplyDropped) {
            count.accept("repliesDropped");
        } else if (e instanceof Crashed c) {
            crashes.merge(c.node(), 1, Integer::sum);
            lifetimeEnded(c.node());
        } else if (e instanceof Stopped s) {
            lifetimeEnded(s.node());
        }
    }

    private void settledWithout(StreamKey stream, long seq) {
        TreeMap<Long, Call> m = byStream.get(stream);
        Call call = m == null ? null : m.get(seq);
        if (call != null) call.processed = false;
    }

    /** Settlements not covered by a committed cursor are gone with the lifetime: the request comes again. */
    private void lifetimeEnded(String node) {
        for (Call call : calls.values()) {
            if (call.stream != null && call.stream.receiver().equals(node) && !call.acknowledged)
                call.processed = false;
        }
    }

    /** The requests this cursor covers for the first time must have their reply committed by now, if processed. */
    private void cursorCommitted(CursorCommitted c) {
        TreeMap<Long, Call> m = byStream.get(new StreamKey(c.sender(), c.receiver(), c.lane()));
        if (m == null) return;
        for (Call call : m.headMap(c.upTo(), true).values()) {
            if (call.acknowledged) continue;
            call.acknowledged = true;
            if (call.processed && call.committedReplies == 0) {
                report.add(
                        Kind.LOST,
                        "request " + call.waiting.msgId() + " = " + call.stream + "#" + call.seq + " was acknowledged"
                                + " (" + c + ") without its reply: none was committed with or before that cursor");
            }
        }
    }

    private void committed(Committed c) {
        Call call = calls.get(c.msgId());
        if (call != null) {
            call.stream = new StreamKey(c.sender(), c.receiver(), c.lane());
            call.seq = c.seq();
            byStream.computeIfAbsent(call.stream, k -> new TreeMap<>()).put(c.seq(), call);
            return;
        }
        Long request = replies.get(c.msgId());
        if (request == null) return;
        count.accept("repliesCommitted");
        Call r = calls.get(request);
        if (r != null && ++r.committedReplies > 1) {
            report.add(Kind.DUPLICATED, "request " + request + " has a second committed reply: " + c);
        }
    }

    private void completed(CallCompleted c) {
        count.accept("calls_" + c.how());
        Call call = calls.get(c.msgId());
        if (call == null) {
            report.add(Kind.ANOMALY, "a future completed for a call never made: " + c);
            return;
        }
        if (++call.completions > 1) report.add(Kind.DUPLICATED, "a caller's future completed again: " + c);
        if (c.how().equals("reply") && c.time() >= call.waiting.deadline()) {
            report.add(
                    Kind.LATE, "completed with a reply at or after its deadline " + call.waiting.deadline() + ": " + c);
        }
    }

    /** After the whole history: the rules that need all of it. */
    void finish() {
        for (Call call : calls.values()) {
            boolean callerCrashed = crashes.getOrDefault(call.waiting.caller(), 0) != call.callerCrashesAtWait;
            if (call.completions == 0 && !callerCrashed && call.waiting.deadline() < lastTime) {
                report.add(Kind.LIVENESS, "a caller's future never completed: " + call.waiting);
            }
        }
    }
}
