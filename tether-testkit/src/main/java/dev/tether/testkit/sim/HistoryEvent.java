package dev.tether.testkit.sim;

/**
 * One observation in a simulation's history, in the order the simulation made it. Nodes are named by their
 * id strings; a stream is (sender, receiver, lane). {@link HistoryChecker} decides from these alone whether
 * the run kept Tether's guarantees, so tests can also feed it hand-made histories.
 */
public sealed interface HistoryEvent {
    /** Simulated time in milliseconds. */
    long time();

    /**
     * The application of {@code node} called send; {@code msgId} is the unique id carried in the payload. A publish
     * on a channel is a send to the publisher itself on the channel's lane.
     */
    record Sent(long time, String node, long token, long msgId, String to, String lane) implements HistoryEvent {}

    /**
     * The sender's store committed the append of {@code msgId} as {@code seq} of stream (sender, receiver,
     * lane). Recorded when the store commit returns, not when the engine reports the send accepted.
     */
    record Committed(long time, String sender, String receiver, String lane, long seq, long msgId, long expiresAt)
            implements HistoryEvent {}

    /**
     * The publisher's store committed {@code msgId} as {@code seq} of its log on channel lane {@code lane}, stored
     * once: it is owed to every reader of that log whose row starts before {@code seq}.
     */
    record Published(long time, String publisher, String lane, long seq, long msgId, long expiresAt)
            implements HistoryEvent {}

    /**
     * The publisher's store committed the reader row of {@code reader} on its log of channel lane {@code lane}: its
     * cursor {@code cursor}, or its removal ({@code cursor} -1). The first row of a reader that is not one is its
     * join: every message published after {@code cursor} is owed to it, on stream (publisher, reader, lane); a later
     * one records that the reader took care of everything up to {@code cursor}.
     */
    record ReaderRow(long time, String publisher, String reader, String lane, long cursor) implements HistoryEvent {}

    /**
     * The sender's engine completed send {@code token} as {@code seq}; for a publish, {@code to} is the publisher
     * itself and {@code seq} the log's sequence number.
     */
    record Accepted(long time, String node, long token, String to, String lane, long seq) implements HistoryEvent {}

    /** The sender's engine failed send {@code token}; nothing was stored. */
    record Rejected(long time, String node, long token, String reason) implements HistoryEvent {}

    /**
     * The receiver's application handled message {@code seq} of stream (sender, receiver, lane): successfully
     * ({@code ok}) or not (it failed and will be retried or dead-lettered).
     */
    record Delivered(
            long time,
            String receiver,
            String sender,
            String lane,
            long seq,
            long msgId,
            boolean redelivery,
            int attempt,
            boolean ok)
            implements HistoryEvent {}

    /**
     * The {@link Delivered} of message {@code seq} of channel stream (publisher, reader, lane) recorded right after this
     * came to the reader in its join generation {@code generation}: the publisher's reader stream that transmitted it
     * was opened by the reader's {@code generation}-th join of that log (its first stored {@link ReaderRow} after none;
     * generations count from 1). Without it (hand-made histories, child-JVM logs) the checker does not know the
     * generation of a delivery and applies only the rules that hold for every generation.
     */
    record DeliveredInGeneration(long time, String reader, String publisher, String lane, long seq, int generation)
            implements HistoryEvent {}

    /**
     * The reader {@code receiver} reported messages {@code fromSeq..toSeq} of {@code sender}'s channel log missed: the
     * publisher's retention deleted them before the reader took them (DROPPED markers).
     */
    record Missed(long time, String receiver, String sender, String lane, long fromSeq, long toSeq)
            implements HistoryEvent {}

    /** The receiver skipped {@code seq} because its time to live ran out. */
    record Expired(long time, String receiver, String sender, String lane, long seq) implements HistoryEvent {}

    /**
     * The sender expired {@code seq} itself: its deadline passed before it was ever transmitted, so the receiver
     * never gets it (only an EXPIRED marker in its place).
     */
    record SendExpired(long time, String sender, String receiver, String lane, long seq) implements HistoryEvent {}

    /**
     * The receiver moved its cursor of stream (sender, receiver, lane) forward to {@code cursor} because the
     * sender no longer holds the messages up to it (it expired them while the receiver was away, then restarted).
     */
    record Resynced(long time, String receiver, String sender, String lane, long cursor, String reason)
            implements HistoryEvent {}

    /** The receiver gave up on {@code seq} and moved it to its dead-letter queue. */
    record DeadLettered(long time, String receiver, String sender, String lane, long seq) implements HistoryEvent {}

    /**
     * The receiver's store committed its processed cursor of stream (sender, receiver, lane) at {@code upTo}:
     * from now on, everything up to {@code upTo} is acknowledged and must never reach the application again.
     */
    record CursorCommitted(long time, String receiver, String sender, String lane, long upTo) implements HistoryEvent {}

    /** The sender learnt that the receiver took care of everything up to {@code upTo}. */
    record Acked(long time, String sender, String receiver, String lane, long upTo) implements HistoryEvent {}

    /**
     * The application of {@code caller} made message {@code msgId} a request (recorded right after its {@link Sent}):
     * it waits for the reply until {@code deadline}, and its future must complete exactly once (unless the caller
     * crashes first, which takes the future with it).
     */
    record CallWaiting(long time, String caller, long msgId, long deadline) implements HistoryEvent {}

    /**
     * The application of {@code callee} processed request {@code requestMsgId} and settles it with the reply {@code
     * replyMsgId}, given with the acknowledgment: stored in the batch that stores the cursor past the request.
     */
    record ReplyMade(long time, String callee, long requestMsgId, long replyMsgId) implements HistoryEvent {}

    /**
     * The future of request {@code msgId} at {@code caller} completed: with its reply ({@code "reply"}), at its
     * deadline ({@code "deadline"}), because the send failed ({@code "rejected"}) or the caller shut down ({@code
     * "closed"}).
     */
    record CallCompleted(long time, String caller, long msgId, String how) implements HistoryEvent {}

    /** A reply to request {@code requestMsgId} reached {@code caller}, which was not waiting for it any more. */
    record ReplyDropped(long time, String caller, long requestMsgId) implements HistoryEvent {}

    /**
     * Every receiver's application handles up to {@code limit} messages of one stream at once on the application
     * lanes (those not starting with {@code '_'}; {@code HandlerOptions.concurrent(limit)}): it starts them ({@link
     * Delivered}) in stream order and they complete in any order. Recorded first, when the limit is above 1.
     */
    record ConcurrentLanes(long time, int limit) implements HistoryEvent {}

    /**
     * The receiver's store committed the marker of message {@code seq}, completed ahead of an earlier message of its
     * stream by a concurrent handler (with its reply, in the same batch): from now on it must never be handed to the
     * application again, whatever crashes follow.
     */
    record AheadStored(long time, String receiver, String sender, String lane, long seq) implements HistoryEvent {}

    /**
     * The application of {@code sender} cancelled request {@code msgId}, stored as {@code seq} of stream (sender,
     * receiver, lane): its future completed ({@code "cancelled"}), and the engine withdraws the message (best effort:
     * the receiver may have started it, and a restart of the sender forgets the withdrawal).
     */
    record CancelRequested(long time, String sender, String receiver, String lane, long seq, long msgId)
            implements HistoryEvent {}

    /**
     * The receiver's application settled {@code seq}, which its sender withdrew, as cancelled without starting it
     * ({@code Engine.onNotTaken}).
     */
    record CancelledInRun(long time, String receiver, String sender, String lane, long seq) implements HistoryEvent {}

    /**
     * The sender learnt that its receiver settled {@code seq} as withdrawn without handing it to its application
     * ({@code Outcome.CANCELLED}): the message must never be handed out.
     */
    record Withdrawn(long time, String sender, String receiver, String lane, long seq) implements HistoryEvent {}

    /**
     * The sender's application was told that {@code seq}, which it had never transmitted, was dropped to make room
     * ({@code Outcome.DROPPED}, overflow policy DROP_OLDEST): the message must never be handed out, also after a
     * crash of either side.
     */
    record DroppedAtSender(long time, String sender, String receiver, String lane, long seq) implements HistoryEvent {}

    /**
     * The application of {@code node} sent {@code msgId} (recorded right after its {@link Sent}) from its endpoint
     * {@code fromAgent} to endpoint {@code toAgent} of node {@code to}, on that endpoint's lane {@code _a.<toAgent>}
     * (docs/BUS-DESIGN.md, section 1). An agent sends one message at a time: its sends to one endpoint are ordered.
     */
    record AgentSent(long time, String node, long msgId, String fromAgent, String to, String toAgent)
            implements HistoryEvent {}

    /**
     * Endpoint {@code toAgent} of {@code receiver} was handed {@code msgId} (recorded right after its {@link
     * Delivered}) as coming from endpoint {@code fromAgent} of node {@code sender} (its {@code :f} header).
     */
    record AgentDelivered(long time, String receiver, String toAgent, String sender, String fromAgent, long msgId)
            implements HistoryEvent {}

    /** {@code node} crashed: its engine, uncommitted writes and in-flight work are gone. */
    record Crashed(long time, String node) implements HistoryEvent {}

    /**
     * {@code node} shut down cleanly ({@code shutdown}): every send it was given was answered (accepted or
     * rejected), but, as after a crash, a message its application handled may be delivered again, flagged, after
     * the restart (runs in progress are not reported once deliveries stop).
     */
    record Stopped(long time, String node) implements HistoryEvent {}

    /** {@code node} restarted from its committed store. */
    record Restarted(long time, String node) implements HistoryEvent {}

    /** The connection between {@code a} and {@code b} came up ({@code up}) or went down. */
    record Link(long time, String a, String b, boolean up) implements HistoryEvent {}

    /** Something that must never happen in a correct run (a protocol error, a store rejecting a batch, ...). */
    record Anomaly(long time, String node, String description) implements HistoryEvent {}

    /** The run did not drain within its time limit: a liveness failure. */
    record Stuck(long time, String details) implements HistoryEvent {}
}
