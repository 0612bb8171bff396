package dev.tether;

/**
 * The idempotency keys of a node's received messages (docs/MESSAGING.md, "Idempotency keys"). {@code keys} is how
 * many are remembered now; the other counters start at zero with each process.
 *
 * @param keys keys remembered now (at most {@code maxIdempotencyKeys})
 * @param duplicates messages settled without processing because their key was processed already
 * @param evicted keys forgotten before the end of their window because more than {@code maxIdempotencyKeys} were kept
 * @param invalidKeys messages whose key header was not a valid key (a broken or newer peer): processed as unkeyed
 */
public record IdempotencyStats(long keys, long duplicates, long evicted, long invalidKeys) {
    /** All zero. */
    public static final IdempotencyStats NONE = new IdempotencyStats(0, 0, 0, 0);
}
