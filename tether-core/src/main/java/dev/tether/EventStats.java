package dev.tether;

/**
 * Counters of distributed events on one node ({@link TetherNode#eventStats()}). As the owner: {@code pending} events
 * not completed yet, {@code completed} events kept in the history now (at most the configured history), {@code
 * remoteWaiters} nodes registered as waiting for this node's pending events, {@code forgotten} completed events dropped
 * from the history since the start, {@code ignoredCompletions} triggers and poisons that changed nothing (the event
 * had completed, or was stale or unknown; each is also reported as a {@link TetherEvent.ApplicationError}). As a
 * waiter: {@code awaitingRemote} events of other nodes this node waits for now, {@code noticesDropped} outcomes of
 * other nodes' events that nobody here waited for any more (after a restart of this node, or when every future was
 * cancelled). {@code invalidMessages}: malformed event messages, dropped and reported as {@link
 * TetherEvent.ProtocolError}. Counters start at zero with each process; the gauges describe the registry loaded.
 */
public record EventStats(
        long pending,
        long completed,
        long remoteWaiters,
        long forgotten,
        long ignoredCompletions,
        long awaitingRemote,
        long noticesDropped,
        long invalidMessages) {}
