package dev.tether;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A call of a named handler on another node, made with {@link TetherNode#call}. Immutable: each setter returns a
 * new {@code Call}, so one can be prepared once and used from many threads. A call is an ordinary Tether message,
 * stored and delivered with the guarantees of its stream: by default the lane is the handler's name, so calls from
 * one node to one handler are handled in order and handlers never hold each other up.
 *
 * <p><b>Deadline.</b> {@link #sync} and {@link #request} always have one: now plus {@link #timeout} (default {@code
 * TetherConfig.Builder.defaultCallTimeout}, 30 s). The returned future fails with {@link
 * DeadlineExceededException} at the deadline by this node's clock (at the first tick of the node thread at or after
 * it, every 10 ms), whatever the network does; the remote node never starts the handler after it. The deadline is
 * also the message's time to live: a call that could not be delivered in time is dropped on the way.
 *
 * <p><b>Failures.</b> Bad arguments throw at once ({@link InvalidIdException}, {@link UnknownPeerException}, {@link
 * MessageTooLargeException}, {@link NodeClosedException}, {@link QueueFullException}, {@link
 * IllegalArgumentException}). Futures fail with {@link DeadlineExceededException}, {@link RemoteHandlerException},
 * {@link NoSuchHandlerException}, {@link StoreException} or {@link QueueFullException} (the call was not stored), or
 * {@link NodeClosedException} (this node shut down before the reply came). Futures complete on the node thread:
 * attach blocking work with the {@code *Async} variants.
 */
public interface Call {
    /** The called node; null for {@code TetherNode.callAny}, which picks one per send. */
    NodeId peer();

    /** The called handler's name. */
    String handler();

    /**
     * The time allowed from the call to its reply: the deadline of {@link #sync} and {@link #request}, and the time
     * to live of a {@link #tell} (which has none unless set here, or unless it {@linkplain #waitForHandler waits}).
     *
     * @throws IllegalArgumentException if it is not positive
     */
    Call timeout(Duration timeout);

    /**
     * Adds a header, passed to the handler in {@link CallContext#headers()}.
     *
     * @throws IllegalArgumentException if {@code name} is empty or starts with {@code ':'} (reserved for Tether)
     */
    Call header(String name, String value);

    /**
     * The lane to send on instead of the handler's name: calls on one lane are handled in order, also across
     * handlers.
     *
     * @throws InvalidIdException if it is not a valid lane name
     * @throws IllegalArgumentException if it starts with {@code '_'} (reserved for Tether)
     */
    Call lane(String lane);

    /**
     * An idempotency key: the called node executes at most one call with this key from this node within its dedup
     * window ({@code TetherConfig.Builder.idempotencyKeys}, default 24 h), so a call retried after an unknown
     * outcome ({@link NodeClosedException}, a restart) is not executed twice. A later call with the key is not
     * executed: a {@link #sync} or {@link #request} fails with {@link DuplicateCallException} naming the original
     * call; a {@link #tell}'s {@code processed()} completes with {@link Outcome#PROCESSED}. See docs/MESSAGING.md,
     * "Idempotency keys".
     *
     * @throws IllegalArgumentException if it is not 1 to 200 printable ASCII characters
     */
    Call idempotencyKey(String key);

    /**
     * If the remote node has no handler of this name when the call arrives, wait for one to be registered instead of
     * failing with {@link NoSuchHandlerException}: the call waits at the head of its stream (later calls on the
     * lane wait behind it) until the handler is registered or the deadline passes, then it is dropped as expired. A
     * {@link #tell} that waits gets the default call timeout as its time to live unless one is set.
     */
    Call waitForHandler();

    /**
     * Volatile delivery: the call (and its reply) is kept in memory only, on both nodes, never stored: faster, but
     * lost if either process dies. It is still handled in order with the other volatile calls on its lane (volatile
     * calls travel on a stream of their own, {@code _v.} plus the lane, so they are not ordered with durable calls on
     * the same lane) and never executed twice: if the called node restarts, calls it may have received are not sent
     * again; those waiting for a reply fail with {@link VolatileLostException} (a tell's {@code processed()}
     * completes with {@link Outcome#LOST}). If this node restarts, its volatile calls are simply gone. Volatile
     * messages waiting for acknowledgment hold at most {@code TetherConfig.Builder.maxVolatileBytes}; beyond it the
     * call fails with {@link VolatileQueueFullException}. See docs/MESSAGING.md, "Volatile calls".
     *
     * @throws IllegalArgumentException if the lane is longer than 61 characters (its volatile lane would not fit)
     */
    Call volatileDelivery();

    /**
     * Fire-and-forget: {@code accepted()} completes when the call is stored, {@code processed()} when the handler
     * returned ({@link Outcome#PROCESSED}), or with {@link Outcome#NO_SUCH_HANDLER}, {@link Outcome#EXPIRED} or
     * {@link Outcome#DEAD_LETTERED}.
     */
    SendReceipt tell(byte[] payload);

    /** Completes when the remote handler returned; see the class comment for its failures. */
    CompletableFuture<Void> sync(byte[] payload);

    /** Completes with the handler's reply; see the class comment for its failures. */
    CompletableFuture<Reply> request(byte[] payload);

    /**
     * A typed {@link #tell}: {@code value} (null allowed) is encoded by the node's codec, as for {@link
     * #request(Object, Class)}. Named apart from {@code tell(byte[])} so that a byte array is never encoded by
     * mistake, nor a value sent raw.
     *
     * @throws CodecException if no codec is on the class path, or {@code value} cannot be encoded: nothing was sent
     */
    SendReceipt tellValue(Object value);

    /**
     * A typed {@link #sync}: {@code value} (null allowed) is encoded by the node's codec; completes when the remote
     * handler returned.
     *
     * @throws CodecException if no codec is on the class path, or {@code value} cannot be encoded: nothing was sent
     */
    CompletableFuture<Void> syncValue(Object value);

    /**
     * A typed request: {@code request} (null allowed) is encoded by the node's codec ({@code
     * TetherConfig.Builder.codec}, else the one found on the class path), and the reply decoded as {@code
     * replyType}; otherwise as {@link #request(byte[])}. The reply is decoded on the node thread.
     *
     * @throws CodecException if no codec is on the class path (the message names the module to add), or {@code
     *     request} cannot be encoded: nothing was sent. The future fails with a {@link CodecException} if the reply
     *     cannot be decoded, and with a {@link RemoteHandlerException} whose {@code remoteType()} is {@code
     *     dev.tether.CodecException} if the called node could not decode the request or encode its reply.
     */
    <R> CompletableFuture<R> request(Object request, Class<R> replyType);

    /** A typed request whose reply has a generic type, such as {@code new TypeRef<List<Order>>() {}}. */
    <R> CompletableFuture<R> request(Object request, TypeRef<R> replyType);
}
