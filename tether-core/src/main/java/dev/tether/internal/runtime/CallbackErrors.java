package dev.tether.internal.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the application's callbacks (the listener, the commit observer) throw, and what the node does about it. Anything
 * but a {@link VirtualMachineError} is the callback's bug: an exception, an {@link AssertionError}, an application's
 * own {@link Error}, a {@link StackOverflowError} (its stack is unwound by the time it is caught). It is counted
 * ({@code NodeStats.listenerErrors}), logged at the 1st, 2nd, 4th, 8th... time so that a callback that always throws
 * cannot flood the log, and changes nothing else. A {@link VirtualMachineError} (out of memory, an internal error)
 * leaves the JVM in a state nothing should run on: it ends the node loop, and the node closes itself ({@link
 * NodeLoop}). Thread-safe.
 */
final class CallbackErrors {
    private static final System.Logger LOG = System.getLogger("dev.tether");

    private final AtomicLong count = new AtomicLong();

    /** Whether {@code e} must end the node loop: a {@link VirtualMachineError} other than a stack overflow. */
    static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    /** Counts {@code e}, thrown by the callback {@code where}; logged at the 1st, 2nd, 4th, 8th... time. */
    void count(String where, Throwable e) {
        long n = count.incrementAndGet();
        if (Long.bitCount(n) == 1) {
            LOG.log(System.Logger.Level.WARNING, "tether " + where + " threw (" + n + " callback errors so far)", e);
        }
    }

    /** The callback errors counted so far. */
    long count() {
        return count.get();
    }
}
