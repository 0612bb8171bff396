package dev.tether.metrics.micrometer.internal;

import dev.tether.CallStats;
import dev.tether.NodeStats;

/** The node-wide meters: every counter and gauge of {@link NodeStats} and its {@link CallStats}. */
final class NodeMeterNames {
    private NodeMeterNames() {}

    static MeterSet<SnapshotMeters> register(MeterSet<SnapshotMeters> m) {
        m.gauge("tether.node.up", "1 while the node answers, 0 once it is closed", SnapshotMeters::up)
                .gauge("tether.node.epoch", "The store epoch of this node", s -> s.node(NodeStats::epoch))
                .gauge(
                        "tether.peers.connected",
                        "Peers connected now",
                        s -> s.node(n -> n.connectedPeers().size()))
                .gauge(
                        "tether.streams",
                        "Streams the node knows, both directions",
                        s -> s.node(n -> n.streams().size()))
                .gauge(
                        "tether.metrics.streams.untagged",
                        "Streams beyond the per-stream series limit",
                        SnapshotMeters::untagged)
                .gauge("tether.messages.queued", "Messages stored and not yet sent", s -> s.node(NodeStats::queued))
                .gauge(
                        "tether.messages.in.flight",
                        "Messages sent, not yet acknowledged",
                        s -> s.node(NodeStats::inFlight))
                .counter(
                        "tether.messages.delivered",
                        "Messages handed to the application",
                        s -> s.node(NodeStats::delivered))
                .counter(
                        "tether.messages.redelivered",
                        "Deliveries flagged as redelivery",
                        s -> s.node(NodeStats::redelivered))
                .counter(
                        "tether.messages.duplicates.dropped",
                        "Duplicates dropped by the receiver",
                        s -> s.node(NodeStats::duplicatesDropped))
                .counter(
                        "tether.messages.dead.lettered",
                        "Messages moved to the dead letters",
                        s -> s.node(NodeStats::deadLettered))
                .counter("tether.messages.expired", "Messages expired before delivery", s -> s.node(NodeStats::expired))
                .counter(
                        "tether.sends.rejected",
                        "Sends refused for want of room in their stream",
                        s -> s.node(NodeStats::rejected))
                .counter(
                        "tether.sends.dropped",
                        "Messages dropped by a stream's overflow policy",
                        s -> s.node(NodeStats::dropped))
                .gauge(
                        "tether.sends.blocked",
                        "Senders waiting for room in their stream now",
                        s -> s.node(NodeStats::blockedSends));
        return registerErrors(registerPublishesAndHistory(m));
    }

    /** Channel publishes over a log's limit, and the message history's entries. */
    private static MeterSet<SnapshotMeters> registerPublishesAndHistory(MeterSet<SnapshotMeters> m) {
        m.counter(
                        "tether.publishes.rejected",
                        "Publishes refused for want of room in a channel log",
                        s -> s.node(NodeStats::publishesRejected))
                .gauge(
                        "tether.publishes.blocked",
                        "Publishers waiting for room in a channel log now",
                        s -> s.node(NodeStats::blockedPublishes))
                .counter(
                        "tether.history.recorded",
                        "Message history entries written by this process",
                        s -> s.node(NodeStats::historyRecorded))
                .gauge(
                        "tether.history.entries",
                        "Message history entries held, as the node knows without reading its store",
                        s -> s.node(NodeStats::historyEntries));
        return m;
    }

    private static MeterSet<SnapshotMeters> registerErrors(MeterSet<SnapshotMeters> m) {
        m.counter("tether.protocol.errors", "Protocol errors from peers", s -> s.node(NodeStats::protocolErrors))
                .counter(
                        "tether.connections.rejected",
                        "Connections refused",
                        s -> s.node(NodeStats::connectionsRejected))
                .counter(
                        "tether.kicked.from.cluster",
                        "Peers that refused this node because it was kicked from the cluster",
                        s -> s.node(NodeStats::kickedFromCluster))
                .counter(
                        "tether.frames.shed",
                        "Inbound frames shed under memory pressure",
                        s -> s.node(NodeStats::inboundFramesShed))
                .counter(
                        "tether.frames.fenced",
                        "Received frames discarded unread: not of their peer's current connection (transport fencing)",
                        s -> s.node(NodeStats::framesFenced))
                .counter(
                        "tether.frames.ignored",
                        "Received frames the node read and dropped: not of the current state of their peer or stream",
                        s -> s.node(NodeStats::framesIgnored))
                .counter("tether.store.failures", "Store operations that failed", s -> s.node(NodeStats::storeFailures))
                .counter(
                        "tether.listener.errors",
                        "Exceptions thrown by the listener or commit observer",
                        s -> s.node(NodeStats::listenerErrors))
                .counter(
                        "tether.handler.errors",
                        "Exceptions thrown by message handlers",
                        s -> s.node(NodeStats::handlerErrors))
                .counter(
                        "tether.messages.checksum.mismatches",
                        "Messages whose checksum did not match (on the wire or in the sender's store)",
                        s -> s.node(NodeStats::checksumMismatches))
                .counter(
                        "tether.messages.unsendable",
                        "Stored messages too large for a frame, sent as damaged stand-ins for the receiver's dead letters",
                        s -> s.node(NodeStats::unsendableMessages));
        return registerDeadLetters(m);
    }

    /** The dead-letter queue against its bounds ({@link dev.tether.DeadLetterStats}). */
    private static MeterSet<SnapshotMeters> registerDeadLetters(MeterSet<SnapshotMeters> m) {
        m.gauge(
                        "tether.dead.letters",
                        "Dead letters held",
                        s -> s.node(n -> n.deadLetters().count()))
                .gauge(
                        "tether.dead.letters.bytes",
                        "Payload bytes of the dead letters held",
                        s -> s.node(n -> n.deadLetters().bytes()))
                .gauge(
                        "tether.dead.letters.max",
                        "Dead letters held at most (DeadLetterLimits.maxCount)",
                        s -> s.node(n -> n.deadLetters().limits().maxCount()))
                .gauge(
                        "tether.dead.letters.max.bytes",
                        "Payload bytes of dead letters held at most (DeadLetterLimits.maxBytes)",
                        s -> s.node(n -> n.deadLetters().limits().maxBytes()))
                .counter(
                        "tether.dead.letters.evicted",
                        "Dead letters removed to make room for newer ones (DROP_OLDEST)",
                        s -> s.node(n -> n.deadLetters().evicted()))
                .counter(
                        "tether.dead.letters.expired",
                        "Dead letters removed as older than the maximum age",
                        s -> s.node(n -> n.deadLetters().expired()))
                .counter(
                        "tether.dead.letters.refused",
                        "Messages not dead-lettered because the queue was full (REFUSE)",
                        s -> s.node(n -> n.deadLetters().refused()))
                .gauge(
                        "tether.dead.letters.blocked.streams",
                        "Streams blocked at a message the full dead-letter queue refused",
                        s -> s.node(n -> n.deadLetters().blockedStreams()));
        return registerCalls(m);
    }

    private static MeterSet<SnapshotMeters> registerCalls(MeterSet<SnapshotMeters> m) {
        m.counter("tether.calls.sent", "Calls sent", s -> s.calls(CallStats::callsSent))
                .counter(
                        "tether.calls.replies.matched",
                        "Replies matched to a waiting call",
                        s -> s.calls(CallStats::repliesMatched))
                .counter(
                        "tether.calls.replies.dropped",
                        "Replies nobody waited for (late or after a restart)",
                        s -> s.calls(CallStats::repliesDropped))
                .counter(
                        "tether.calls.deadlines.exceeded",
                        "Calls failed at their deadline",
                        s -> s.calls(CallStats::deadlinesExceeded))
                .gauge("tether.calls.pending", "Calls waiting for their reply", s -> s.calls(CallStats::pendingCalls))
                .counter(
                        "tether.calls.handled",
                        "Calls handled by this node's handlers",
                        s -> s.calls(CallStats::callsHandled))
                .counter(
                        "tether.calls.handler.failures",
                        "Calls whose handler failed",
                        s -> s.calls(CallStats::handlerFailures))
                .counter(
                        "tether.calls.no.such.handler",
                        "Calls for a handler this node does not have",
                        s -> s.calls(CallStats::noSuchHandler))
                .gauge(
                        "tether.calls.waiting.for.handler",
                        "Calls waiting for their handler to be registered",
                        s -> s.calls(CallStats::waitingForHandler))
                .counter(
                        "tether.calls.invalid",
                        "Calls with malformed call headers",
                        s -> s.calls(CallStats::invalidCalls))
                .counter(
                        "tether.calls.volatile.lost",
                        "Volatile calls failed because the peer restarted",
                        s -> s.calls(CallStats::volatileLost))
                .counter(
                        "tether.calls.cancelled",
                        "Calls whose future the application cancelled",
                        s -> s.calls(CallStats::callsCancelled))
                .counter(
                        "tether.calls.cancelled.before.start",
                        "Calls to this node's handlers withdrawn before their handler started",
                        s -> s.calls(CallStats::cancelledBeforeStart))
                .counter(
                        "tether.calls.cancelled.while.running",
                        "Calls withdrawn while their handler ran",
                        s -> s.calls(CallStats::cancelledWhileRunning));
        return m;
    }
}
