package dev.tether.internal.runtime;

import dev.tether.AckMode;
import dev.tether.DeadLetterLimits;
import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.TetherListener;
import dev.tether.bus.HistoryOptions;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineConfig;
import dev.tether.internal.engine.WireCompression;
import dev.tether.spi.CommitObserver;
import dev.tether.spi.Discovery;
import dev.tether.spi.Store;
import dev.tether.spi.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The validated settings a node runs with, built by the public configuration ({@code dev.tether.node.TetherConfig},
 * which checks every value) so the runtime does not depend on the package that starts it. Immutable.
 *
 * @param store the store given to the builder, or the default store created for this node (not yet opened)
 * @param handler the push handler, or null when the application pulls deliveries
 * @param allowedPeers patterns an unconfigured, unadded peer must match to be admitted; empty: any proven peer
 * @param insecureAdmitUnprovenPeers whether peers whose identity nothing proved are admitted
 * @param discoveries started after the transport, closed before it
 * @param defaultCallTimeout the deadline of calls made without a timeout
 * @param commitObserver told of every store commit, on the thread that committed
 * @param maxVolatileBytes bytes volatile outbound messages may hold until acknowledged
 * @param idempotencyWindow how long a processed idempotency key is remembered
 * @param maxIdempotencyKeys how many idempotency keys are remembered at most
 * @param channelJoinTimeout how long a channel join waits for the peers it tells before it fails
 * @param compression the codecs this node decompresses, and how it compresses on the wire
 * @param deadLetters the bounds of the dead-letter queue
 * @param streamLimits per-stream limits and overflow policies by selector, the first match wins
 * @param lanePriorities the priority levels of lanes by glob, the first match wins
 * @param history the message history's bounds, or null: no history
 */
public record NodeSettings(
        NodeId nodeId,
        Set<NodeId> peers,
        Transport transport,
        Store store,
        Durability durability,
        int window,
        int maxMessageBytes,
        long maxQueuedPerStream,
        long maxPendingSendBytes,
        long maxInboundQueueBytes,
        Duration retransmitTimeout,
        Duration maxRetransmitTimeout,
        RetryPolicy retryPolicy,
        FailurePolicy failurePolicy,
        AckMode ackMode,
        MessageHandler handler,
        int handlerThreads,
        boolean handlerOnNodeThread,
        TetherListener listener,
        Clock clock,
        List<String> allowedPeers,
        boolean insecureAdmitUnprovenPeers,
        List<Discovery> discoveries,
        Duration defaultCallTimeout,
        CommitObserver commitObserver,
        long maxVolatileBytes,
        Duration idempotencyWindow,
        int maxIdempotencyKeys,
        Duration channelJoinTimeout,
        WireCompression compression,
        DeadLetterLimits deadLetters,
        List<StreamLimitRule> streamLimits,
        List<LanePriority> lanePriorities,
        HistoryOptions history) {

    public NodeSettings {
        peers = Set.copyOf(peers);
        streamLimits = List.copyOf(streamLimits);
        lanePriorities = List.copyOf(lanePriorities);
        allowedPeers = List.copyOf(allowedPeers);
        discoveries = List.copyOf(discoveries);
    }

    /**
     * What {@code engine} takes after it is built: the wire compression (decompressing frames up to the largest the
     * transport delivers), and the dead-letter queue's bounds with the
     * index of the stored dead letters (read from the opened store here, Store rule 24), and the history's bounds
     * with what the store holds (rule 28).
     */
    void prepare(Engine engine) {
        engine.compression(compression.receivingFramesUpTo(transport.maxInboundFrameBytes()));
        engine.deadLetters().restore(deadLetters, store.readDeadLetterIndex());
        if (history != null) engine.history().start(history, store.historySummary());
    }

    /**
     * The engine settings of this node. A {@linkplain Store#isNonBlocking() non-blocking} store (in memory)
     * commits in microseconds, with nothing to bound: its batches take every waiting send and are not pipelined,
     * as before batches were bounded.
     */
    public EngineConfig engineConfig(int maxRun) {
        boolean cheapCommits = store.isNonBlocking();
        return new EngineConfig(
                nodeId,
                peers,
                window,
                Math.min(
                        transport.maxFrameBytes(),
                        maxMessageBytes + EngineConfig.FRAME_OVERHEAD + EngineConfig.DATA_FRAME_TARGET),
                maxQueuedPerStream,
                retransmitTimeout.toMillis(),
                maxRetransmitTimeout.toMillis(),
                retryPolicy,
                failurePolicy,
                maxRun,
                EngineConfig.DEFAULT_MAX_BATCHES_IN_FLIGHT,
                cheapCommits ? Integer.MAX_VALUE : EngineConfig.DEFAULT_MIN_BATCH_MESSAGES,
                cheapCommits ? Integer.MAX_VALUE : EngineConfig.DEFAULT_MAX_BATCH_MESSAGES);
    }
}
