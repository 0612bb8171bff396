package dev.tether.internal.bus;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * An endpoint's mailbox (docs/BUS-DESIGN.md, section 1.1): a serial executor over another one (the handler threads,
 * or the node thread) that also stays <b>held</b> while a delivery it started is unsettled, so an endpoint handles one
 * message at a time across all its inbound streams even when its handler settles later (manual acknowledgment).
 *
 * <p>Each task is one stream's run (the runtime keeps consecutive messages of a run on the thread that took the
 * first). The strand runs queued tasks one after the other on the thread that holds it, up to {@link #BURST}, then
 * hands the rest back to the executor so one busy endpoint does not keep a shared thread from the others.
 *
 * <p>Thread-safe: every state change is under the strand's lock; tasks run outside it.
 */
final class Strand implements Executor {
    /** Tasks run in a row on one thread before the strand yields it. */
    static final int BURST = 16;

    private final Executor under;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    /** A task is running, or one is submitted to {@link #under}, or a delivery started by one is unsettled. */
    private boolean held;
    /** A task is running on some thread now. */
    private boolean running;
    /** Deliveries handed to the handler and not settled yet. */
    private int unsettled;

    Strand(Executor under) {
        this.under = under;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (held) {
                queue.add(task);
                return;
            }
            held = true;
        }
        try {
            under.execute(() -> drain(task));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                held = false;
            }
            throw e;
        }
    }

    /** A delivery is handed to the handler, on the thread running a task of this strand. */
    synchronized void started() {
        unsettled++;
    }

    /** A delivery started here was settled (any thread): the strand goes on if nothing else holds it. */
    void settled() {
        Runnable next;
        synchronized (this) {
            unsettled--;
            if (unsettled > 0 || running) return;
            next = queue.poll();
            if (next == null) {
                held = false;
                return;
            }
        }
        resubmit(next);
    }

    /** Runs {@code first}, then queued tasks while nothing unsettled holds the strand, up to {@link #BURST}. */
    private void drain(Runnable first) {
        Runnable task = first;
        for (int n = 0; ; n++) {
            synchronized (this) {
                running = true;
            }
            try {
                task.run();
            } finally {
                synchronized (this) {
                    running = false;
                    if (unsettled > 0) {
                        task = null; // settled() goes on
                    } else {
                        task = queue.poll();
                        if (task == null) held = false;
                    }
                }
            }
            if (task == null) return;
            if (n + 1 >= BURST) {
                resubmit(task);
                return;
            }
        }
    }

    private void resubmit(Runnable task) {
        try {
            under.execute(() -> drain(task));
        } catch (RejectedExecutionException e) {
            // The node is stopping: its unsettled messages are delivered again after the next start.
            synchronized (this) {
                held = false;
                queue.clear();
            }
        }
    }

    /** Tasks waiting for the strand (for statistics and tests). */
    synchronized int waiting() {
        return queue.size();
    }
}
