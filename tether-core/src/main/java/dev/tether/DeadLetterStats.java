package dev.tether;

/**
 * The dead-letter queue of a node ({@link NodeStats#deadLetters()}): what it holds now and what its bounds ({@link
 * DeadLetterLimits}) did since the process started. {@code count} and {@code bytes} include dead letters whose store
 * batch is being committed. Counters start at zero with each process.
 *
 * @param count dead letters held
 * @param bytes their payload bytes together
 * @param oldestAtMillis when the oldest held one was dead-lettered (epoch milliseconds), 0 if none is held
 * @param evicted dead letters removed to make room for newer ones ({@link DeadLetterLimits.WhenFull#DROP_OLDEST})
 * @param expired dead letters removed by the age sweep, older than {@link DeadLetterLimits#maxAge()}
 * @param refused messages not dead-lettered because the queue was full ({@link DeadLetterLimits.WhenFull#REFUSE});
 *     a message refused again after its stream resumed counts again
 * @param blockedStreams streams blocked now at a message the full queue refused
 * @param limits the bounds in force
 */
public record DeadLetterStats(
        long count,
        long bytes,
        long oldestAtMillis,
        long evicted,
        long expired,
        long refused,
        int blockedStreams,
        DeadLetterLimits limits) {}
