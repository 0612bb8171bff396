package dev.tether.internal.engine;

/**
 * The engine's node-wide counters of what went wrong, as they were when taken ({@link Engine#counters}): every
 * occurrence, also those whose event was held back by a rate limit ({@link Statistics}).
 *
 * @param protocolErrors frames that were malformed or unexpected
 * @param connectionsRejected connections the transport refused or closed for a violation
 * @param storeFailures commits and outbox reads that failed
 * @param checksumMismatches messages that did not match their checksum, read from this store or received
 * @param unsendableMessages stored messages that could not go into a DATA frame and went out as damaged in their
 *     place ({@code TetherEvent.UnsendableMessage})
 * @param framesIgnored received frames (an ACK frame: each stream's entry) the engine read and dropped as not of the
 *     current state of their peer or stream ({@link Statistics#frameIgnored}, docs/OPERATIONS.md)
 */
public record EngineCounters(
        long protocolErrors,
        long connectionsRejected,
        long storeFailures,
        long checksumMismatches,
        long unsendableMessages,
        long framesIgnored) {}
