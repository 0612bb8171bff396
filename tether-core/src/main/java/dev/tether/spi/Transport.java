package dev.tether.spi;

import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Moves opaque frames between nodes and reports which peers are reachable. A transport is reliable at
 * most within one connection and promises nothing across connections: frames may be lost, duplicated,
 * reordered or delayed, and Tether's engine makes delivery reliable on top of that.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.TransportContract} checks them.
 *
 * <ol>
 *   <li>{@link #start} is called once, before any {@link #send}; after {@link #close} returns the transport
 *       makes no more listener calls. {@code close} is idempotent.
 *   <li>A frame is delivered whole and unmodified, or not at all. Transports MUST NOT look into frames.
 *   <li>{@link Listener#onFrame} hands over the buffer: the transport MUST NOT reuse or modify it afterwards.
 *       Conversely {@link #send} MUST copy what it keeps: the caller reuses its buffer as soon as
 *       {@code send} returns.
 *   <li>For each peer, {@link Listener#onPeerUp} and {@link Listener#onPeerDown} alternate, starting with up;
 *       frames from a peer are reported only between its up and the matching down. A frame belongs to the
 *       connection it was sent on: it is never delivered on a later connection (a transport that reconnects
 *       under the hood must fence or discard such frames). The receiver relies on this to flag redeliveries
 *       correctly after a crash.
 *   <li>Listener calls concerning one peer are made one at a time, in the order the transport observed them.
 *       Calls for different peers may come from different threads.
 *   <li>{@link #send} is thread-safe and never blocks indefinitely. It returns false, dropping the frame,
 *       when the peer is not connected (a decorator that simulates loss may return true for frames it drops);
 *       it MUST NOT throw for an unreachable peer. A frame larger than {@link #maxFrameBytes()} is a caller
 *       bug and throws {@link IllegalArgumentException}.
 *   <li>The {@code from} of a frame is the peer the transport authenticated (or, for transports without
 *       authentication, the peer it was configured or told to be); a transport that authenticates MUST NOT
 *       report a peer id its credentials do not prove.
 *   <li>A transport MUST NOT deliver frames larger than {@link #maxInboundFrameBytes()} and MUST NOT allocate
 *       memory for such a frame before rejecting it.
 *   <li>If {@link #nodeExecutor()} returns an executor, it MUST run tasks one at a time on one thread, in the
 *       order they were submitted, accept tasks and run scheduled ones from {@link #start} until {@link #close},
 *       and every listener call MUST be made on that same thread. The transport MUST NOT block that thread.
 *   <li>Before it reports a connection with a peer up, the transport MUST ask {@link Listener#admit} with the
 *       strongest {@link PeerProof} it has for the peer's id (rule 7: never more than its credentials prove).
 *       If that returns a reason, the transport MUST NOT report the connection up nor any frame from it; it
 *       refuses the connection, reports {@link Listener#onConnectionRejected} with that reason and, where its
 *       protocol can, tells the other end why. It MAY remember the refusal and not ask again about that peer
 *       until {@link #connect} names it; otherwise it asks again on each new connection attempt.
 *   <li>{@link #connect} and {@link #disconnect} are thread-safe and return without waiting for a connection (a
 *       transport may resolve host names given to {@code connect} on the calling thread). {@code connect} throws {@link IllegalArgumentException} naming an address it cannot parse, before changing anything;
 *       otherwise it forgets any remembered refusal of the peer, and a transport that dials keeps dialing the
 *       peer at the given addresses until {@code disconnect} or {@link #close}. {@code disconnect} stops dialing
 *       the peer and closes any connection with it (reporting down if it was up); the peer may connect again
 *       later if {@link Listener#admit} admits it.
 * </ol>
 */
public interface Transport extends AutoCloseable {
    /** Starts the transport for node {@code self}; events go to {@code listener}. */
    void start(NodeId self, Listener listener);

    /**
     * Queues {@code frame} (from its position to its limit) for {@code peer}. Returns true if the frame was
     * accepted for transmission (which does not mean it will arrive), false if the peer is not connected.
     */
    boolean send(NodeId peer, ByteBuffer frame);

    /** Ends a burst of {@link #send} calls; transports that batch writes flush now. */
    default void flush() {}

    /**
     * The transport's I/O thread as an executor the node may run its protocol loop on, or null (the default)
     * to let the node run a thread of its own. Hosting the node on the thread that reads and writes the
     * connections spares a thread hand-off in each direction per frame, the largest part of a round trip's
     * latency on a small machine. Called once, after {@link #start}; see rule 9.
     */
    default ScheduledExecutorService nodeExecutor() {
        return null;
    }

    /**
     * The largest frame this transport carries, in bytes. A transport that learns on connecting that its carrier
     * allows less reports that through {@link Listener#onFrameLimit}.
     */
    int maxFrameBytes();

    /**
     * The largest frame this transport may deliver, in bytes: by default {@link #maxFrameBytes()}. A transport that
     * receives over several carriers with different limits (a composite) states the largest; the node lets a
     * compressed frame decompress into as much as a plain frame it receives could be (docs/PROTOCOL.md,
     * "Compression").
     */
    default int maxInboundFrameBytes() {
        return maxFrameBytes();
    }

    /**
     * Starts reaching {@code peer}, which the node has just learnt of or been told to add (rule 11). {@code
     * addresses} are in the transport's own format (for TCP {@code host:port}); a transport that finds peers by
     * itself (in memory, NATS) ignores them and only forgets a remembered refusal. The default does nothing, which
     * suits transports that neither dial nor remember refusals.
     *
     * @throws IllegalArgumentException if an address cannot be parsed
     */
    default void connect(NodeId peer, List<String> addresses) {}

    /**
     * Stops reaching {@code peer} and closes any connection with it (rule 11): the node removed it. The default
     * does nothing; the node then still ignores a removed peer's frames and refuses its connections, but cannot
     * close one that is already up.
     */
    default void disconnect(NodeId peer) {}

    /**
     * Frames received from peers and discarded unread because they did not belong to the peer's current connection
     * (rule 4: a transport that reconnects under the hood fences earlier connections' frames), so far; 0 (the
     * default) for a transport that never fences. The node reports it as {@code NodeStats.framesFenced}: a peer that
     * is up while every frame from it is fenced shows there. Thread-safe.
     */
    default long fencedFrames() {
        return 0;
    }

    /** Stops the transport and releases its resources. */
    @Override
    void close();

    /** Receives a transport's events. Implementations (Tether's runtime) are thread-safe and return quickly. */
    interface Listener {
        /** {@code peer} is reachable; frames from it may follow until the matching {@link #onPeerDown}. */
        void onPeerUp(NodeId peer);

        /** {@code peer} is no longer reachable; no frame of the ended connection follows. */
        void onPeerDown(NodeId peer);

        /** A whole frame from {@code from}; the buffer is handed over and belongs to the listener from now on. */
        void onFrame(NodeId from, ByteBuffer frame);

        /**
         * Whole frames from {@code from} that arrived together (one read of a connection), in arrival order: the same
         * as {@link #onFrame} for each in turn, which the default does, and counts as one listener call for rule 5.
         * A transport that reads several frames at once may call this so that the listener can hand them on in one
         * step instead of one per frame. The buffers and the list are handed over as in rule 3.
         */
        default void onFrames(NodeId from, List<ByteBuffer> frames) {
            for (ByteBuffer frame : frames) onFrame(from, frame);
        }

        /**
         * The transport refused a connection or closed one for a protocol violation: a failed handshake, an
         * unproven or unexpected node id, a bad certificate, a frame above the limit, garbage on the wire.
         * {@code remote} names the other end as well as the transport knows it (an address, a claimed id).
         * Purely informational: the node counts it and reports it to its listener.
         */
        default void onConnectionRejected(String remote, String reason) {}

        /**
         * From now on the transport carries frames of at most {@code bytes}, fewer than {@link Transport#maxFrameBytes()}
         * promised: what its carrier allows turned out smaller (a NATS server's {@code max_payload}, learnt on
         * connecting). The node builds frames within it and reports a message that cannot fit as unsendable instead
         * of sending it again and again. A later call may raise it again, never above {@link Transport#maxFrameBytes()}. The
         * default ignores it.
         */
        default void onFrameLimit(int bytes) {}

        /**
         * From now on the transport carries frames to and from {@code peer} of at most {@code bytes}, within what
         * {@link #onFrameLimit(int)} said for every peer: what the carrier of that peer allows, for a transport that
         * reaches peers over carriers with different limits (a composite's member that carries the peer, reported
         * before each up on it, and again when that member's limit changes). A message above it that has to go now
         * goes as unsendable, as above; sent later over a carrier that allows it, it goes as it is. A later call may
         * raise it again, never above {@link Transport#maxFrameBytes()}. The default ignores it.
         */
        default void onFrameLimit(NodeId peer, int bytes) {}

        /**
         * Whether {@code peer} may connect, asked before its connection is reported up (rule 10). {@code proof}
         * is what the transport established about the peer's id. Returns null to admit the peer, or the reason
         * for refusing it, which the transport reports with {@link #onConnectionRejected} and, where it can,
         * sends to the peer. Thread-safe and quick: transports call it on their I/O threads. The default admits
         * every peer.
         */
        default String admit(NodeId peer, PeerProof proof) {
            return null;
        }
    }
}
