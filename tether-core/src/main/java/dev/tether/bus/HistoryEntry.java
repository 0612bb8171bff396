package dev.tether.bus;

import dev.tether.NodeId;
import dev.tether.Outcome;
import java.util.Map;
import java.util.Objects;

/**
 * One message in a node's history (docs/OPERATIONS.md, "History"): a message this node stored for sending ({@link
 * HistoryDirection#OUT}, recorded in the store batch that stored it) or one it settled ({@link HistoryDirection#IN},
 * recorded in the batch that stored the receive cursor past it, with the outcome). Immutable; the payload array is
 * owned by the record.
 *
 * @param id the store's number for the entry, greater than every earlier entry's (0 before it is stored)
 * @param atMillis when the store batch recording it was cut, epoch milliseconds by the node's clock
 * @param direction sent or received
 * @param kind what the message is
 * @param peer the receiver of an OUT entry, the sender of an IN entry (this node for its own loopback messages)
 * @param fromAgent the sending endpoint (agent), or null for node-level traffic
 * @param toAgent the receiving endpoint (agent), or null
 * @param channel the channel of a publish or broadcast, or null
 * @param handler the called handler of a request, or null
 * @param lane the stream's lane as on the wire
 * @param seq the message's sequence number in its stream
 * @param outcome how an IN message was settled; null for OUT entries
 * @param size the payload length in bytes
 * @param headers the application's headers (Tether's reserved ones left out, but for the route trail {@code :r} of a
 *     copy or forward a routing rule sent: its origin, then {@code node:rule} per hop, the last naming the rule)
 * @param payload the payload (up to the history's {@code maxPayloadBytes}), or null when payloads are not kept or not
 *     asked for
 * @param truncated whether {@code payload} is shorter than the message's payload
 */
public record HistoryEntry(
        long id,
        long atMillis,
        HistoryDirection direction,
        MessageKind kind,
        NodeId peer,
        String fromAgent,
        String toAgent,
        String channel,
        String handler,
        String lane,
        long seq,
        Outcome outcome,
        int size,
        Map<String, String> headers,
        byte[] payload,
        boolean truncated) {
    /** Copies the headers; rejects missing fields, an outcome on an OUT entry and negative numbers. */
    public HistoryEntry {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(lane, "lane");
        headers = Map.copyOf(headers);
        if (id < 0 || seq < 0 || size < 0 || atMillis < 0) {
            throw new IllegalArgumentException("negative id, time, seq or size in a history entry");
        }
        if (direction == HistoryDirection.OUT && outcome != null) {
            throw new IllegalArgumentException("an OUT history entry has no outcome, was " + outcome);
        }
    }

    /** This entry numbered {@code newId} (stores number entries when they commit them). */
    public HistoryEntry withId(long newId) {
        return new HistoryEntry(
                newId, atMillis, direction, kind, peer, fromAgent, toAgent, channel, handler, lane, seq, outcome, size,
                headers, payload, truncated);
    }

    /** This entry without its payload (null), as a query that does not ask for payloads returns it. */
    public HistoryEntry withoutPayload() {
        return payload == null
                ? this
                : new HistoryEntry(
                        id, atMillis, direction, kind, peer, fromAgent, toAgent, channel, handler, lane, seq, outcome,
                        size, headers, null, truncated);
    }

    /** The length of the payload kept, 0 without one. */
    public int keptBytes() {
        return payload == null ? 0 : payload.length;
    }
}
