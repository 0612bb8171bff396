package dev.tether.internal.runtime;

import dev.tether.TetherException;
import dev.tether.internal.engine.StreamKey;

/**
 * Node-thread callbacks of one send made by a pattern layer ({@link NodeRuntime#submit(dev.tether.NodeId, String,
 * java.util.Map, byte[], long, SendHook)}). They run on the node thread before the send's own futures complete, so a
 * layer can index the send by its sequence number before any answer to it can arrive.
 */
public interface SendHook {
    /** The send reaches the node thread, at {@code now}, right before it is queued for the store. */
    void submitted(long now);

    /** The send is stored as message {@code seq} of {@code key}. */
    void accepted(StreamKey key, long seq);

    /**
     * Nothing was stored: the store failed, the stream was full, or the node stopped first. Runs on the node thread,
     * or, for a send that reached a node already stopped, on the thread that noticed.
     */
    void rejected(TetherException error);
}
