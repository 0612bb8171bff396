package dev.tether;

/** What a receiver does with a message whose handler failed {@link RetryPolicy#maxAttempts()} times. */
public enum FailurePolicy {
    /** Move the message to the dead-letter queue, report it, and continue with the next one. */
    DEAD_LETTER,
    /** Stop the stream at this message (strict head-of-line) and report it; other streams continue. */
    BLOCK
}
