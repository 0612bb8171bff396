package dev.tether.spi;

/**
 * Observes every store commit of a node, for metrics: how long it took and how much it carried. Given to the node
 * with {@code TetherConfig.Builder.commitObserver}; {@code tether-metrics-micrometer} implements it.
 *
 * <p>Rules for implementations (the node relies on them):
 *
 * <ol>
 *   <li>{@link #onCommit} is called once per commit attempt, after the attempt ended, committed or failed, on the
 *       thread that committed: the node's store thread, or the node thread for a {@linkplain Store#isNonBlocking()
 *       non-blocking} store. Calls for one node never overlap, and come in commit order.
 *   <li>It MUST return quickly and MUST NOT block: the node's next commit waits for it.
 *   <li>It MUST NOT throw. If it does, the commit's outcome is unchanged, and what it threw is handled as a
 *       listener's ({@code TetherListener}): an exception or an {@link Error} (an {@code AssertionError}, an
 *       application's own Error, a {@code StackOverflowError}) is counted in {@code NodeStats.listenerErrors()} and
 *       logged (the 1st, 2nd, 4th, 8th... time); a {@link VirtualMachineError} such as {@code OutOfMemoryError} ends
 *       the node thread, and the node logs it and closes itself (its sends then fail with {@code
 *       NodeClosedException}, whose cause is that error).
 *   <li>It MUST accept any values it is given (zero entries, a duration of zero or of hours) without failing.
 *   <li>What it records MUST be safe to read from other threads (a metrics scrape) while {@link #onCommit} runs.
 * </ol>
 */
@FunctionalInterface
public interface CommitObserver {
    /** Observes nothing; the default. */
    CommitObserver NONE = (durationNanos, entries, messages, committed) -> {};

    /**
     * One commit attempt ended.
     *
     * @param durationNanos the time {@link Store#commit} took, in nanoseconds
     * @param entries every entry of the batch ({@link WriteBatch#size()}): messages, cursors, trims, dead letters
     * @param messages the messages appended to outboxes by the batch ({@link WriteBatch#appends()})
     * @param committed true if the batch is durable, false if the commit failed
     */
    void onCommit(long durationNanos, int entries, int messages, boolean committed);
}
