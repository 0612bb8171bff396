package dev.tether.cli;

import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes on stdout or stderr that nobody may be reading, without making the caller wait for ever. A pipe nobody
 * reads fills (64 KiB on Linux), and then a write blocks until someone reads; a node's handler printing deliveries
 * blocks so while holding stdout's locks, and every later flush of stdout, even of nothing, waits for those locks.
 * The stop of {@code tether node} must not depend on that: the writes run in order on daemon threads, and the
 * caller waits for them up to a bound, then goes on (the process may exit with them unfinished).
 */
final class StopReport {
    /** How long the stop waits for its report (the last lines, and stdout's flush) once the node is shut down. */
    static final long REPORT_MILLIS = 1_000;

    /** How long {@link Main} waits for its last flush after a command whose threads may hold the outputs. */
    static final long FINAL_FLUSH_MILLIS = 1_000;

    private static final Executor DAEMON = task -> {
        Thread t = new Thread(task, "tether-stop-report");
        t.setDaemon(true);
        t.start();
    };

    private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

    /** Queues {@code write} after the writes queued before; returns at once. */
    StopReport then(Runnable write) {
        written = written.thenRunAsync(write, DAEMON);
        return this;
    }

    /** Waits up to {@code millis} for the queued writes; false if they did not all finish (an output is stuck). */
    boolean await(long millis) {
        try {
            written.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // a write that failed is not stuck (a closed pipe): nothing more to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Flushes {@code outputs} in order on a daemon thread, waiting up to {@code millis}; false if it did not finish. */
    static boolean flush(long millis, Flushable... outputs) {
        StopReport r = new StopReport();
        for (Flushable f : outputs) r.then(() -> flush(f));
        return r.await(millis);
    }

    private static void flush(Flushable f) {
        try {
            f.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
