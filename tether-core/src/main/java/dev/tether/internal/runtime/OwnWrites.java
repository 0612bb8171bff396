package dev.tether.internal.runtime;

import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.WriteBatch;
import java.util.HashMap;
import java.util.List;

/**
 * The node's own writes to its store, beside the messages' (keys of the patterns' state, a call completed ahead,
 * dead letters removed): each goes into the engine's next batch under a token, and its callback runs once that
 * batch is durable ({@link NodeLoop#written}). Node thread only.
 */
final class OwnWrites {
    private final Engine engine;
    private final HashMap<Long, Runnable> callbacks = new HashMap<>();
    private long nextToken;

    OwnWrites(Engine engine) {
        this.engine = engine;
    }

    /** Stores {@code effects} in the next batch ({@link Engine#writeKeys}); runs {@code then} once durable. */
    void writeKeys(long now, List<Effect> effects, Runnable then) {
        long token = ++nextToken;
        engine.writeKeys(now, token, effects);
        callbacks.put(token, then);
    }

    /** Message {@code seq} of {@code key} completed ahead ({@link Engine#completedAhead}). */
    void completedAhead(long now, StreamKey key, long senderEpoch, long seq, List<Effect> effects) {
        engine.completedAhead().completed(now, ++nextToken, key, senderEpoch, seq, effects);
    }

    /** Removes the dead letters {@code keys} name with the next batch; runs {@code then} once durable. */
    void removeDeadLetters(List<WriteBatch.DeadLetterRemoval> keys, Runnable then) {
        long token = ++nextToken;
        engine.deadLetters().remove(token, keys);
        callbacks.put(token, then);
    }

    /** The callback of a durable write, or null (a token of {@link #completedAhead}, or already taken). */
    Runnable take(long token) {
        return callbacks.remove(token);
    }
}
