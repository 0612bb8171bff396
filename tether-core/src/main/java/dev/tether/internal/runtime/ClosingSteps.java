package dev.tether.internal.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bounded last steps of a shutdown or crash, after the node loop was told to stop: each waits up to a bound
 * of its own and then goes on, so that {@code shutdown(timeout)} returns within its documented bound whatever an
 * application callback or a transport does, and the store is closed (its lock released) in any case.
 *
 * <p>The case these bounds exist for: an application callback on the node thread that never returns. Over TCP
 * the node loop runs on the transport's I/O thread, so that thread is stuck as well, and a transport close that
 * waits for its own I/O thread would wait for ever. What could not be stopped in time is logged (at WARNING) and
 * left running in the background: a stuck thread cannot be taken back, only stopped waiting for.
 */
final class ClosingSteps {
    /** How long the node loop gets to end once told to stop; beyond it, it is stuck in a callback. */
    static final long LOOP_JOIN_MILLIS = 2_000;

    /** How long discoveries and transport get to close, on a thread of their own. */
    static final long CONNECTIONS_CLOSE_MILLIS = 2_000;

    private static final System.Logger LOG = System.getLogger("dev.tether");

    private ClosingSteps() {}

    /**
     * Reports a node loop that did not end within {@link #LOOP_JOIN_MILLIS}, with the stack of {@code thread}, the one
     * running it (null if unknown): where the callback is stuck. The node closes without it.
     */
    static void loopStuck(Object node, Thread thread) {
        LOG.log(
                System.Logger.Level.WARNING,
                "node " + node + ": the node thread did not stop within " + LOOP_JOIN_MILLIS + " ms (a handler,"
                        + " listener or future callback on it has not returned); transport and store close"
                        + " without it, and what it still does is not recorded",
                StuckThread.of(thread));
    }

    /**
     * Reports a store commit (or read) still running {@code waitedMillis} after the shutdown asked the store to close,
     * with the stack of the store's thread: the shutdown returns without waiting longer, and the store closes, its
     * lock released, on that thread once the commit returns ({@link StoreWriter#close}), never under it.
     */
    static void commitStuck(Object node, StoreWriter writer, long waitedMillis) {
        LOG.log(
                System.Logger.Level.WARNING,
                "node " + node + " shut down with a store commit still running after " + waitedMillis + " ms; the"
                        + " store stays open (its lock held) until that commit returns, then closes",
                StuckThread.of(writer.thread()));
    }

    /**
     * The stack of a thread that does not return, to log with the warning that leaves it behind ({@link
     * Thread#getStackTrace}, taken when the warning is logged): it names the callback or call it is stuck in. Not an
     * error of its own; null for a null thread (the warning is logged without a stack). Its message repeats the top
     * {@link #FRAMES_IN_MESSAGE} frames, for logs that print a throwable on one line without its stack (tether node's).
     */
    static final class StuckThread extends Throwable {
        static final int FRAMES_IN_MESSAGE = 12;
        private static final long serialVersionUID = 1L;

        private StuckThread(Thread thread, StackTraceElement[] stack) {
            super(message(thread, stack), null, false, true);
            setStackTrace(stack);
        }

        private StuckThread(Thread thread) {
            this(thread, thread.getStackTrace());
        }

        private static String message(Thread thread, StackTraceElement[] stack) {
            StringBuilder b = new StringBuilder("thread ")
                    .append(thread.getName())
                    .append(" is stuck (")
                    .append(thread.getState())
                    .append(')');
            for (int i = 0; i < Math.min(FRAMES_IN_MESSAGE, stack.length); i++) {
                b.append(i == 0 ? " at " : " < ").append(stack[i]);
            }
            if (stack.length > FRAMES_IN_MESSAGE) b.append(" < ...");
            return b.toString();
        }

        static StuckThread of(Thread thread) {
            return thread == null ? null : new StuckThread(thread);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // the stuck thread's stack replaces the logging thread's: skip taking it
        }
    }

    /**
     * Closes discoveries, then the transport, on a new daemon thread, and waits for that up to {@link
     * #CONNECTIONS_CLOSE_MILLIS}: a close that blocks (its I/O thread stuck in a callback, a server that does not
     * answer) must not keep the store open. One that fails or overruns is logged, not thrown.
     */
    static void closeConnections(Object node, NodeSettings config) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Thread closer = new Thread(
                () -> {
                    closeAll(node, config);
                    closed.complete(null);
                },
                "tether-close-" + node);
        closer.setDaemon(true);
        closer.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECTIONS_CLOSE_MILLIS);
        if (!Uninterruptibly.await(closed, deadline)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "node " + node + ": closing the transport did not finish within " + CONNECTIONS_CLOSE_MILLIS
                            + " ms (its I/O thread may be stuck in a callback); it goes on in the background",
                    StuckThread.of(closer));
        }
    }

    private static void closeAll(Object node, NodeSettings config) {
        for (var d : config.discoveries()) {
            try {
                d.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing discovery " + d + " failed", e);
            }
        }
        try {
            config.transport().close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "node " + node + ": closing the transport failed", e);
        }
    }
}
