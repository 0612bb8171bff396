package dev.tether.internal.engine;

/**
 * An inbound stream of the engine as the runtime gets it with each run it delivers ({@link EngineOutput#deliver(
 * InboundRef, long, java.util.List)}), so that what the runtime keeps per stream across runs (a run's route) needs no
 * lookup by {@link StreamKey}: with a thousand streams and short runs such a lookup per run is a cost per message. A
 * stream stays the engine's stream of its key while it exists; one closed and opened again is a new one, with nothing
 * attached. The methods are for the engine's thread only; what the runtime attaches may be read on its own threads.
 */
public interface InboundRef {
    /** The stream's key. */
    StreamKey key();

    /** What the runtime attached to this stream ({@link #attach}); the engine never reads it. Null until then. */
    Object attachment();

    /** Attaches the runtime's own state of this stream, to be found from the stream at hand. */
    void attach(Object attachment);
}
