package dev.tether;

import java.time.Duration;
import java.util.List;

/**
 * A running node: sends messages to its peers and receives theirs, reliably across disconnects and
 * restarts. Start one with {@link Tether#start(TetherConfig)}.
 *
 * <p><b>Threading.</b> All methods are thread-safe. One node thread owns the protocol state; the methods
 * hand work to it through a queue and return futures. The node thread is the transport's I/O thread when the
 * transport offers one ({@code Transport.nodeExecutor()}, as TCP does), else a thread of the node's own.
 * Handlers run on the node's handler threads, or on the node thread with {@link
 * TetherConfig.Builder#handlerOnNodeThread}. The {@link TetherListener}, such handlers and future callbacks
 * attached without {@code *Async} run on the node thread: they must not block. There, {@link #stats()}
 * answers directly, while waiting for a future this node has not completed yet and {@link #shutdown} throw
 * {@link IllegalStateException} (they would wait for the node thread itself).
 *
 * <p><b>Ordering.</b> Messages sent on one lane to one peer are delivered to that peer's application in
 * the order of the {@code send} calls that completed their {@code accepted()} future (for sends from one
 * thread: call order), without gaps. Different lanes and peers are independent.
 *
 * <p><b>Failure.</b> Argument errors throw at once ({@link InvalidIdException}, {@link UnknownPeerException},
 * {@link MessageTooLargeException}, {@link NodeClosedException}); storage failures complete the returned
 * futures exceptionally. Asynchronous problems go to the {@link TetherListener} and are counted in
 * {@link NodeStats}.
 */
public interface TetherNode extends AutoCloseable {
    NodeId id();

    /** Sends {@code payload} to {@code to} on the default lane. */
    SendReceipt send(NodeId to, byte[] payload);

    /** Sends {@code payload} to {@code to} on {@code lane}. */
    SendReceipt send(NodeId to, String lane, byte[] payload);

    /** Sends a fully described message. */
    SendReceipt send(OutboundMessage message);

    /**
     * Pull mode (no handler configured): waits up to {@code timeout} for the next delivery and returns it,
     * or null if none arrived. The caller must {@link Delivery#ack()} or {@link Delivery#nack()} it.
     *
     * @throws IllegalStateException if the node was configured with a handler
     */
    Delivery receive(Duration timeout) throws InterruptedException;

    /** The dead-letter queue of this node, oldest first, at most {@code max} entries. */
    List<DeadLetterView> deadLetters(int max);

    /** A snapshot of the node's counters. */
    NodeStats stats();

    /**
     * Stops accepting sends and pulls at once, waits up to {@code timeout} for every sent message to be
     * acknowledged by its receiver (handlers keep running meanwhile), then stops delivering, lets the store
     * commit what was already decided (up to 2 s more), closes transport and store, and reports what is still
     * pending (it stays stored for the next start). Messages handed to the application but not acknowledged
     * by then are delivered again, flagged, after the next start. A send racing this call either throws {@link
     * NodeClosedException} or returns a receipt whose futures complete, with {@link NodeClosedException} if the
     * node stopped before it could answer; so does a {@code processed()} asked after the node stopped.
     *
     * @throws IllegalStateException if called on the node thread (from a listener, a callback or a handler
     *     running there)
     */
    ShutdownResult shutdown(Duration timeout);

    /** Same as {@code shutdown(Duration.ZERO)}. */
    @Override
    void close();
}
