package dev.tether.internal.engine;

import java.util.List;
import java.util.Objects;

/**
 * How a run handed out by {@link EngineOutput#deliver} ended, given to {@link Engine#onSettled(long, Settlement)}:
 * every message of stream {@code key} up to {@code ackedUpTo} is processed; if {@code failedSeq > 0} that next message
 * failed with {@code reason}. The messages of the run after those were not handed to the application: the redelivery
 * flag relies on it.
 *
 * @param generation the run's generation, as {@code deliver} gave it: a settlement of an older run is ignored
 * @param failedSeq the failed message, the one after {@code ackedUpTo}, or 0 if none failed
 * @param reason why it failed, null if none failed
 * @param retryAfterMillis when to try the failed message again, after the settlement's {@code now}, or {@link
 *     Engine#RETRY_PER_POLICY} for the retry policy's backoff; the attempt counts towards the policy's maximum either
 *     way
 * @param effects messages and writes caused by processing the acknowledged messages (replies, a route's copies),
 *     stored in the same batch as the cursor that records them processed ({@link Effect})
 * @param ifDeadLettered the failed message's own effects (E7: a route's copies), stored with its dead letter and
 *     cursor if this failure dead-letters it, never if it is retried or blocks the stream (docs/BUS-DESIGN.md 2.4)
 */
public record Settlement(
        StreamKey key,
        long generation,
        long ackedUpTo,
        long failedSeq,
        String reason,
        long retryAfterMillis,
        List<Effect> effects,
        List<Effect> ifDeadLettered) {
    /** Checks that nothing but {@code reason} is null. */
    public Settlement {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(effects, "effects");
        Objects.requireNonNull(ifDeadLettered, "ifDeadLettered");
    }

    /** Every message of the run up to {@code upTo} processed, none failed, no effects. */
    public static Settlement processed(StreamKey key, long generation, long upTo) {
        return new Settlement(key, generation, upTo, 0, null, Engine.RETRY_PER_POLICY, List.of(), List.of());
    }

    /** This settlement with message {@code seq}, the one after {@code ackedUpTo}, failed for {@code why}. */
    public Settlement failed(long seq, String why) {
        return new Settlement(key, generation, ackedUpTo, seq, why, retryAfterMillis, effects, ifDeadLettered);
    }

    /** This settlement with the failed message tried again {@code millis} after the settlement. */
    public Settlement retryAfter(long millis) {
        return new Settlement(key, generation, ackedUpTo, failedSeq, reason, millis, effects, ifDeadLettered);
    }

    /** This settlement with {@code due} as the acknowledged messages' effects. */
    public Settlement withEffects(List<Effect> due) {
        return new Settlement(key, generation, ackedUpTo, failedSeq, reason, retryAfterMillis, due, ifDeadLettered);
    }

    /** This settlement with {@code withIt} stored with the failed message if it is dead-lettered. */
    public Settlement ifDeadLettered(List<Effect> withIt) {
        return new Settlement(key, generation, ackedUpTo, failedSeq, reason, retryAfterMillis, effects, withIt);
    }
}
