package dev.tether.testkit.process;

import dev.tether.Channels;
import dev.tether.Delivery;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.fixtures.Poll;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Writes what one node of a child-JVM workload does into a {@link HistoryLog}, so that {@link HistoryLogReader}
 * and the checker can verify the history after the process was killed: each send before it is attempted and
 * then its outcome (accepted with its sequence number, or rejected), each delivery before the handler returns
 * (so before the cursor commit that covers it), the store's commits (through {@link HistoryRecordingStore}), the
 * events that must never happen in a correct run (as anomalies), and the final state of each outbound stream.
 *
 * <p>Payloads are {@link HistoryLog#payloadFor} payloads of one size, which the reader needs to know.
 *
 * <p><b>Threading.</b> {@link #send} may be called from any thread; the handler and listener it installs run on
 * the node's threads; the counters are atomic. <b>Failure.</b> A send refused at once ({@link QueueFullException})
 * or failing later is recorded as rejected and its future fails; nothing is thrown.
 */
public final class HistoryRecorder {
    private final HistoryLog log;
    private final String node;
    private final int payloadSize;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();

    /** Records node {@code node} into {@code log}; its payloads are {@code payloadSize} bytes. */
    public HistoryRecorder(HistoryLog log, String node, int payloadSize) {
        this.log = log;
        this.node = node;
        this.payloadSize = payloadSize;
    }

    /**
     * Configures {@code builder} to record this node: its store is {@code store} wrapped in a {@link
     * HistoryRecordingStore}, its handler records and counts each delivery (and acknowledges it by returning), its
     * listener records protocol errors, store failures, application errors and dead letters as anomalies.
     */
    public TetherConfig.Builder record(TetherConfig.Builder builder, Store store) {
        return builder.store(new HistoryRecordingStore(store, node, log))
                .handler(this::delivered)
                .listener(e -> {
                    if (e instanceof TetherEvent.ProtocolError
                            || e instanceof TetherEvent.StoreFailure
                            || e instanceof TetherEvent.ApplicationError
                            || e instanceof TetherEvent.DeadLettered) {
                        log.anomaly(node, e.toString());
                    }
                });
    }

    /**
     * Records and counts delivery {@code d} to the recorded node (to its handler, or to one of its endpoints), before
     * the handler that got it returns.
     */
    public void delivered(Delivery d) {
        byte[] p = d.payloadBytes();
        log.delivered(
                node,
                d.from().value(),
                d.lane(),
                d.seq(),
                HistoryLog.msgIdOf(p),
                d.isRedelivery(),
                d.attempt(),
                HistoryLog.crc(p));
        delivered.incrementAndGet();
    }

    /** Records an anomaly the workload itself found (a message at the wrong endpoint, ...). */
    public void anomaly(String description) {
        log.anomaly(node, description);
    }

    /**
     * Sends message {@code msgId} from endpoint {@code from} of the recorded node to endpoint {@code to}, recording the
     * attempt (on the endpoint's lane {@code _a.<agent>}) first and the outcome when it is known; as {@link #send}.
     */
    public CompletableFuture<MessageId> send(Endpoint from, Address to, long msgId) {
        String lane = "_a." + to.agent();
        return recorded(to.node(), lane, msgId, () -> from.send(to, HistoryLog.payloadFor(msgId, payloadSize)));
    }

    /**
     * Sends message {@code msgId} from {@code from} (the recorded node) to {@code to} on {@code lane}, recording the
     * attempt first and the outcome when it is known. Returns the acceptance future, failed if the send was
     * refused.
     */
    public CompletableFuture<MessageId> send(TetherNode from, NodeId to, String lane, long msgId) {
        return recorded(to, lane, msgId, () -> from.send(to, lane, HistoryLog.payloadFor(msgId, payloadSize)));
    }

    private CompletableFuture<MessageId> recorded(NodeId to, String lane, long msgId, Supplier<SendReceipt> send) {
        log.sending(node, to.value(), lane, msgId);
        SendReceipt r;
        try {
            r = send.get();
        } catch (QueueFullException e) {
            log.rejected(node, msgId, e.toString());
            return CompletableFuture.failedFuture(e);
        }
        return r.accepted().whenComplete((id, error) -> {
            if (error != null) {
                log.rejected(node, msgId, error.toString());
            } else {
                log.accepted(node, to.value(), lane, msgId, id.seq());
                accepted.incrementAndGet();
            }
        });
    }

    /**
     * Publishes message {@code msgId} from {@code from} (the recorded node) on {@code channel}, recording the attempt
     * first (a send to itself on the channel's lane, as the checker expects) and the outcome when it is known.
     */
    public CompletableFuture<MessageId> publish(TetherNode from, String channel, long msgId) {
        String lane = Channels.lane(channel);
        log.sending(node, node, lane, msgId);
        CompletableFuture<MessageId> f;
        try {
            f = from.publish(channel, HistoryLog.payloadFor(msgId, payloadSize));
        } catch (QueueFullException e) {
            log.rejected(node, msgId, e.toString());
            return CompletableFuture.failedFuture(e);
        }
        return f.whenComplete((id, error) -> {
            if (error != null) {
                log.rejected(node, msgId, error.toString());
            } else {
                log.accepted(node, node, lane, msgId, id.seq());
                accepted.incrementAndGet();
            }
        });
    }

    /** Records the last sequence number and acknowledged cursor of each outbound stream of {@code from}. */
    public void recordFinalStreams(TetherNode from) {
        for (StreamStats s : from.stats().streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND) {
                log.finalStream(node, s.peer().value(), s.lane(), s.lastSeq(), s.cursor());
            }
        }
    }

    /** Sends of this node accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Deliveries to this node's handler so far (redeliveries included). */
    public long delivered() {
        return delivered.get();
    }

    /** Waits until every outbound stream of every node is fully acknowledged; false if {@code limit} passed. */
    public static boolean awaitDrained(Duration limit, TetherNode... nodes) {
        return Poll.until(limit, Duration.ofMillis(20), () -> allDrained(nodes));
    }

    private static boolean allDrained(TetherNode... nodes) {
        for (TetherNode n : nodes) {
            if (!outboundDrained(n.stats())) return false;
        }
        return true;
    }

    /** Whether nothing is queued or in flight on any outbound stream and each is acknowledged up to its end. */
    public static boolean outboundDrained(NodeStats stats) {
        for (StreamStats s : stats.streams()) {
            if (s.direction() == StreamStats.Direction.OUTBOUND
                    && (s.queued() != 0 || s.inFlight() != 0 || s.cursor() != s.lastSeq())) {
                return false;
            }
        }
        return true;
    }

    /** Waits for {@code f} (if any) to complete; a failed send was already recorded as rejected by {@link #send}. */
    public static void awaitQuietly(CompletableFuture<?> f) {
        if (f == null) return;
        try {
            f.join();
        } catch (RuntimeException failedSendIsRecordedBySend) {
            // recorded as rejected where it failed
        }
    }
}
