package dev.tether.internal.runtime;

import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;

/**
 * A {@link Router} in a chain: a pattern layer that takes some messages and passes the rest, and every duplicate,
 * withdrawal, expiry and volatile loss, to {@link #next}. Subclasses decide {@link #route}; thread-safety as {@link
 * Router}.
 */
public abstract class ForwardingRouter implements Router {
    /** The router after this one. */
    protected final Router next;

    protected ForwardingRouter(Router next) {
        this.next = next;
    }

    @Override
    public abstract MessageConsumer route(StreamKey key, InboundMessage m);

    @Override
    public MessageConsumer duplicate(StreamKey key, InboundMessage m, String originalLane, long originalSeq) {
        return next.duplicate(key, m, originalLane, originalSeq);
    }

    @Override
    public void cancelled(StreamKey key, long senderEpoch, long seq) {
        next.cancelled(key, senderEpoch, seq);
    }

    @Override
    public void expiredUnconsumed(StreamKey key, long senderEpoch, long seq) {
        next.expiredUnconsumed(key, senderEpoch, seq);
    }

    @Override
    public void volatileLost(StreamKey key, long upToSeq) {
        next.volatileLost(key, upToSeq);
    }
}
