package dev.tether.internal.engine;

/**
 * An outbound stream of the engine as the runtime may hold it, resolved once ({@link Engine#send(long, long,
 * OutboundRef, dev.tether.NodeId, String, java.util.Map, byte[], long)}), so that each message and acknowledgment of it
 * needs no lookup by {@link StreamKey}: with ten thousand streams every such lookup is a likely cache miss. A stream
 * once handed out stays the engine's stream of its key for the engine's life. Not thread-safe: the engine's thread only.
 */
public interface OutboundRef {
    /** The stream's key. */
    StreamKey key();

    /** As {@link OutboundQueries#unacked}, without the lookup. */
    long unacked();

    /** What the runtime attached to this stream ({@link #attach}); the engine never reads it. Null until then. */
    Object attachment();

    /** Attaches the runtime's own state of this stream (its send room), to be found from the stream at hand. */
    void attach(Object attachment);
}
