package dev.tether.internal.runtime;

import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;

/**
 * The hook through which a pattern layer (calls, later channels and events) takes the messages meant for it: per
 * delivered message, it names the consumer, and the consumer names where it runs. The runtime knows nothing of
 * handlers; a message the router returns null for goes to the node's configured handler (or the pull queue)
 * exactly as if there were no router.
 *
 * <p>Threading: {@link #route} is called on whichever thread carries the stream's run at that moment (the node
 * thread or a handler thread), once per message, right before the message is consumed; it must be cheap and
 * thread-safe. Order per stream holds whatever the consumers: the next message of a stream is routed only after the
 * previous one was settled.
 */
public interface Router {
    /** The consumer of message {@code m} of inbound stream {@code key}, or null for the configured handler. */
    MessageConsumer route(StreamKey key, InboundMessage m);

    /**
     * As {@link #route(StreamKey, InboundMessage)} for a message of a sequential delivery run, whose earlier messages
     * were routed with the same {@code memo}: the result must be exactly what {@code route(key, m)} returns now; the
     * memo only saves finding again what depends on the stream alone. Default: {@code route(key, m)}.
     */
    default MessageConsumer route(StreamKey key, InboundMessage m, RouteMemo memo) {
        return route(key, m);
    }

    /**
     * The consumer of message {@code m} of {@code key}, a duplicate: its idempotency key was processed already, with
     * message {@code originalSeq} of lane {@code originalLane} of the same sender ({@link IdempotencyTable}). It must
     * settle it without processing it; null (the default) acknowledges it at once.
     */
    default MessageConsumer duplicate(StreamKey key, InboundMessage m, String originalLane, long originalSeq) {
        return null;
    }

    /**
     * The sender, incarnation {@code senderEpoch}, withdrew message {@code seq} of {@code key} (a cancelled call)
     * after it was routed or while it waits in a run to be: its consumer may settle it with {@link
     * dev.tether.Outcome#CANCELLED} if it has not started it, or stop it. The epoch tells it from the message of the
     * same number of another incarnation. Node thread; must not block. Default: nothing.
     */
    default void cancelled(StreamKey key, long senderEpoch, long seq) {}

    /**
     * Message {@code seq} of {@code key}, incarnation {@code senderEpoch}, which was routed, ran out of time before it
     * reached its consumer: the runtime settled it as {@link dev.tether.Outcome#EXPIRED} instead, so the consumer never
     * sees it, and what the layer keeps for it (a {@link #cancelled} that came while it waited) is to be dropped now.
     * On the stream's run's thread, whichever it is; must be cheap and thread-safe. Default: nothing.
     */
    default void expiredUnconsumed(StreamKey key, long senderEpoch, long seq) {}

    /**
     * Node thread: the receiver of volatile outbound stream {@code key} restarted; the layer's sends on it up to
     * {@code upToSeq} are lost, answers to them included ({@code EngineOutput.volatileLost}).
     */
    default void volatileLost(StreamKey key, long upToSeq) {}
}
