package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The effects the {@link Engine} asks for. The engine calls these from inside its input methods, on the
 * engine's thread; an implementation performs them (runtime) or records them (tests, simulation). None of
 * them may call back into the engine synchronously.
 */
public interface EngineOutput {
    /** Send {@code frame} to {@code peer}; the buffer is reused after this returns. */
    void transmit(NodeId peer, ByteBuffer frame);

    /** End of a burst of {@link #transmit} calls. */
    void flush();

    /**
     * Commit {@code batch}, then call {@link Engine#onCommitted} or {@link Engine#onCommitFailed}. Several batches
     * may be in flight; an implementation MUST:
     *
     * <ol>
     *   <li>commit them one at a time, in the order of the calls, and answer them in that order, so that a batch
     *       never becomes durable before one persisted earlier;
     *   <li>not attempt a batch whose {@code afterBatchId} (0: none) was not committed (it failed, or was itself
     *       not attempted), and answer it with {@link Engine#onCommitFailed}: the engine has already failed it
     *       together with the earlier batch, and committing it would store later writes without earlier ones
     *       (a cursor past a dead letter that was not stored, sequence numbers after a gap).
     * </ol>
     */
    void persist(long batchId, long afterBatchId, WriteBatch batch);

    /**
     * Read the outbox of {@code key} from {@code fromSeq}, or for a reader of a shared log (a channel lane) the
     * channel's log ({@link StreamPages#read} does either), then call {@link Engine#onLoaded}.
     */
    void load(StreamKey key, long fromSeq, int max);

    /**
     * The send identified by {@code token} is stored as message {@code seq} of {@code key}. Not called for an
     * {@link Effect}, which has no receipt. For a publish ({@link Engine#publish}) {@code key} is this node and the
     * channel's lane, {@code seq} the log's sequence number.
     */
    void accepted(long token, StreamKey key, long seq);

    /**
     * The send identified by {@code token} failed; nothing was stored. Not called for an {@link Effect}: it is
     * stored again with its cursor.
     */
    void rejected(long token, TetherException error);

    /** The receiver took care of every message of {@code key} up to {@code upToSeq}. */
    void acked(StreamKey key, long upToSeq);

    /** As {@link #acked(StreamKey, long)}, with the stream at hand: its {@link OutboundRef#attachment} spares a lookup. */
    default void acked(OutboundRef stream, long upToSeq) {
        acked(stream.key(), upToSeq);
    }

    /**
     * Message {@code seq} of {@code key} was taken care of without being processed: the receiver expired or
     * dead-lettered it, or it expired here before it was ever transmitted.
     */
    void outcome(StreamKey key, long seq, Outcome outcome);

    /**
     * Hand {@code messages} (consecutive, in order) of inbound stream {@code key} to the application, one at a
     * time, each only after the one before was acknowledged. Right before handing one out, check its deadline
     * ({@link InboundMessage#expiredAt}) with the clock of the moment: an expired one must not be handed out; the
     * run then ends there and is reported with {@link Engine#onExpiredInRun}. Otherwise report results with
     * {@link Engine#onSettled}, quoting {@code generation}: the messages after a failed one must not have been
     * handed out.
     */
    void deliver(StreamKey key, long generation, List<InboundMessage> messages);

    /** As {@link #deliver(StreamKey, long, List)}, with the stream at hand: its {@link InboundRef#attachment}. */
    default void deliver(InboundRef stream, long generation, List<InboundMessage> messages) {
        deliver(stream.key(), generation, messages);
    }

    /**
     * The effects given to {@link Engine#writeKeys} with {@code token} are durable (their batch committed). Called
     * once per token, in the order of the calls; never for a failed batch, whose writes go into a later one.
     */
    default void written(long token) {}

    /** Report {@code event} to the listener. */
    void event(TetherEvent event);

    /**
     * The sender of inbound stream {@code key}, incarnation {@code senderEpoch} (the stream's current one), withdrew
     * message {@code seq} (its call was cancelled) after it was handed out by {@link #deliver}: the application may
     * skip it if it has not started it, or stop it. Messages not handed out yet are settled by the engine itself.
     * Default: nothing (no pattern layer cancels).
     */
    default void cancelRequested(StreamKey key, long senderEpoch, long seq) {}

    /**
     * The receiver of volatile stream {@code key} restarted: every message up to {@code upToSeq} that it had not
     * acknowledged is lost (each also reported with {@code outcome(LOST)}), and the replies of those it had
     * acknowledged will not come either. A pattern layer fails the calls it made on the stream up to there.
     */
    default void volatileLost(StreamKey key, long upToSeq) {}

    /**
     * Messages arrived after the run out of {@code key} in {@code generation}, whose application asked for more
     * ({@link Engine#extendRun}) and got fewer than it could take: it may ask again. Default: nothing.
     */
    default void runCanGrow(StreamKey key, long generation) {}

    /**
     * This input brought work of priority {@code level}, above the default, due at the end of the turn: messages of
     * that level arrived for delivery, or a batch with sends of that level was stored and they may be transmitted.
     * The runtime may end the turn early for it (docs/PROTOCOL.md, "Priority"). Default: nothing.
     */
    default void urgent(int level) {}
}
