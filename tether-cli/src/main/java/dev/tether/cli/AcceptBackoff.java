package dev.tether.cli;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Paces a server's accept loop while {@code accept} keeps failing (no file descriptor left: EMFILE). Retrying at
 * once would spin a core, and where each failure is reported, flood the log or the chat pages. The first failure of
 * a burst is reported, once; each failure then waits, 10 ms doubling up to 1 s, until an accept succeeds, which
 * ends the burst. Not thread-safe: one per accept loop.
 */
final class AcceptBackoff {
    static final long FIRST_MILLIS = 10;
    static final long MAX_MILLIS = 1_000;

    /** How a failed accept waits; {@link Thread#sleep} but in tests. */
    interface Pause {
        void sleep(long millis) throws InterruptedException;
    }

    private final Consumer<String> report;
    private final Pause pause;
    private long next = FIRST_MILLIS;
    private long burst;

    /** Reports the first failure of each burst to {@code report}. */
    AcceptBackoff(Consumer<String> report) {
        this(report, Thread::sleep);
    }

    AcceptBackoff(Consumer<String> report, Pause pause) {
        this.report = report;
        this.pause = pause;
    }

    /**
     * An accept failed: reports it if it is the first of a burst, then waits before the next try.
     *
     * @return false if the wait was interrupted (the interrupt is kept): the loop should end
     */
    boolean failed(IOException e) {
        if (burst++ == 0) {
            report.accept("accept failed: " + e.getMessage() + "; retrying after " + FIRST_MILLIS + " ms, backing off"
                    + " to " + MAX_MILLIS + " ms (reported once until an accept succeeds)");
        }
        try {
            pause.sleep(next);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        next = Math.min(MAX_MILLIS, next * 2);
        return true;
    }

    /** An accept succeeded: a burst of failures, if any, is over. */
    void succeeded() {
        burst = 0;
        next = FIRST_MILLIS;
    }
}
