package dev.tether.testkit.sim;

import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.Settlement;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A simulated application's concurrent handler over one run, as the runtime's {@code ConcurrentWindow} drives the
 * engine ({@code HandlerOptions.concurrent(limit)}): up to {@code limit} messages of the run are started in stream
 * order and complete in any order (each takes its own random time); the cursor advances over those completed without
 * a gap ({@code onProgress}, with their replies); one completed ahead of an earlier one is stored at once with its
 * reply and a marker ({@code Engine.writeKeys}), so a later hand-out of it (a retry of an earlier one, a restart)
 * acknowledges it without starting it again. A run that has room takes more of its stream ({@code Engine.extendRun},
 * and again when the engine says more arrived). The window stops starting messages at the first one settled
 * otherwise (failed, expired before its start, withdrawn by its sender); once nothing is running it reports the
 * lowest such one, after telling the engine how far it handed out (those above come again flagged), or the run's end.
 *
 * <p>Simpler than the runtime in two ways, neither of which the engine sees: a marker is never deleted (the runtime
 * deletes it once the cursor passed it), and a message completed before is acknowledged inside the window (the runtime
 * ends the window there and acknowledges it on its own).
 *
 * <p>Single-threaded, like the simulation; work scheduled by a crashed incarnation never runs ({@link App#later}).
 */
final class SimWindow {
    /** The node's application, as far as the window needs it. */
    interface App {
        long now();

        /** One engine input, then the end of the engine's turn. */
        void input(Consumer<Engine> in);

        /** Runs {@code action} after {@code delay} unless this incarnation ended meanwhile. */
        void later(long delay, Runnable action);

        /** How long the application takes over one message. */
        long handlingMillis();

        /** Whether deliveries stopped (a shutdown): nothing is started or reported any more. */
        boolean stopped();

        /** Whether {@code m} was completed ahead before (its marker is known): acknowledged without a start. */
        boolean completedBefore(StreamKey key, InboundMessage m);

        /** Whether the sender withdrew {@code seq} after the engine handed it out (not started yet). */
        boolean cancelAsked(StreamKey key, long seq);

        /**
         * Starts {@code m}: the delivery is recorded and the application decides its fate now; returns null if it
         * will succeed, with its replies added to {@code effects}, else the reason it fails.
         */
        String start(StreamKey key, InboundMessage m, List<Effect> effects);

        /** {@code m} completed ahead with {@code effects}: stores them and its marker now. */
        void completedAhead(StreamKey key, InboundMessage m, List<Effect> effects);

        /** Records a message settled as cancelled, or expired, without a start. */
        void settledWithoutStart(StreamKey key, long seq, boolean cancelled);

        /** The window reported its end. */
        void ended(SimWindow w);
    }

    private enum StopKind {
        FAILED,
        EXPIRED,
        CANCELLED
    }

    private record Stop(long seq, StopKind kind, String reason) {}

    final StreamKey key;
    final long generation;
    private final App app;
    private final int limit;
    private final List<InboundMessage> run;
    /** Index in the run of the next message to start. */
    private int next;
    /** Highest sequence number acknowledged without a gap: what the engine is told. */
    private long cursor;

    private long handedUpTo;
    private int running;
    /** Acknowledged messages above the cursor. */
    private final TreeSet<Long> ahead = new TreeSet<>();
    /** Effects (replies) of messages the cursor passed, not reported yet. */
    private final List<Effect> effects = new ArrayList<>();

    private boolean progressDue;
    private Stop stop;
    private boolean ended;

    SimWindow(App app, StreamKey key, long generation, List<InboundMessage> run, int limit) {
        this.app = app;
        this.key = key;
        this.generation = generation;
        this.run = new ArrayList<>(run);
        this.limit = limit;
        this.cursor = run.get(0).seq() - 1;
    }

    /** Starts the first messages (a turn after the engine handed the run out). */
    void begin() {
        step();
    }

    /** The engine said more of the stream arrived: take them if there is room. */
    void arrived() {
        if (!ended && running > 0) step();
    }

    /** Starts what fits, takes more of the stream when the run is exhausted, reports progress or the end. */
    private void step() {
        if (ended || app.stopped()) return;
        while (true) {
            fill();
            if (stop != null || running >= limit || next < run.size()) break;
            List<InboundMessage> more = new ArrayList<>();
            int room = limit - running;
            app.input(e -> more.addAll(e.extendRun(app.now(), key, generation, handedUpTo, room)));
            if (more.isEmpty()) break;
            run.addAll(more);
        }
        if (running == 0) {
            end();
        } else if (progressDue) {
            progressDue = false;
            List<Effect> due = take();
            long upTo = cursor;
            app.input(e -> e.onProgress(app.now(), key, generation, upTo, due));
        }
    }

    private void fill() {
        while (stop == null && running < limit && next < run.size()) handOut(run.get(next++));
    }

    private void handOut(InboundMessage m) {
        handedUpTo = m.seq();
        if (app.cancelAsked(key, m.seq())) {
            settleOtherwise(new Stop(m.seq(), StopKind.CANCELLED, null));
            return;
        }
        if (m.expiredAt(app.now())) { // right before it would reach the handler, as the runtime checks
            settleOtherwise(new Stop(m.seq(), StopKind.EXPIRED, null));
            return;
        }
        if (app.completedBefore(key, m)) {
            acknowledged(m, null); // its reply was stored with its marker
            return;
        }
        List<Effect> own = new ArrayList<>();
        String failure = app.start(key, m, own);
        running++;
        app.later(app.handlingMillis(), () -> finished(m, failure, own));
    }

    private void finished(InboundMessage m, String failure, List<Effect> own) {
        if (ended || app.stopped()) return; // a shutdown: not reported, the run comes again after the restart
        running--;
        if (failure == null) acknowledged(m, own);
        else settleOtherwise(new Stop(m.seq(), StopKind.FAILED, failure));
        step();
    }

    /** {@code m} completed with {@code own} effects; null: it had completed before, its effects are stored. */
    private void acknowledged(InboundMessage m, List<Effect> own) {
        if (m.seq() != cursor + 1) {
            ahead.add(m.seq());
            if (own != null) app.completedAhead(key, m, own);
            return;
        }
        if (own != null) effects.addAll(own);
        cursor = m.seq();
        while (!ahead.isEmpty() && ahead.first() == cursor + 1) cursor = ahead.pollFirst();
        progressDue = true;
    }

    private void settleOtherwise(Stop s) {
        if (stop == null || s.seq() < stop.seq()) stop = s;
    }

    private List<Effect> take() {
        List<Effect> due = List.copyOf(effects);
        effects.clear();
        return due;
    }

    /** Nothing runs and nothing more starts: report the lowest settlement that is not an acknowledgment, or the end. */
    private void end() {
        ended = true;
        app.ended(this);
        long now = app.now();
        List<Effect> due = take();
        long upTo = cursor;
        Stop s = stop;
        if (s == null) {
            app.input(e ->
                    e.onSettled(now, Settlement.processed(key, generation, upTo).withEffects(due)));
            return;
        }
        if (s.kind() != StopKind.FAILED) app.settledWithoutStart(key, s.seq(), s.kind() == StopKind.CANCELLED);
        long handed = handedUpTo;
        app.input(e -> {
            e.extendRun(now, key, generation, handed, 0); // what was handed out above the stop comes again flagged
            switch (s.kind()) {
                case FAILED ->
                    e.onSettled(
                            now,
                            Settlement.processed(key, generation, upTo)
                                    .failed(s.seq(), s.reason())
                                    .withEffects(due));
                case EXPIRED -> e.onExpiredInRun(now, key, generation, upTo, s.seq(), due);
                case CANCELLED -> e.onNotTaken(now, key, generation, upTo, s.seq(), Outcome.CANCELLED, due);
            }
        });
    }
}
