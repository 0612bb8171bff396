package dev.tether.management;

import dev.tether.ChannelRole;
import java.util.List;

/**
 * One channel as {@link NodeManagement#channels()} saw it on this node: the role this node joined it with, and the
 * readers of this node's log of it.
 *
 * @param channel the channel's name
 * @param role the role this node joined it with, or null if it did not join it (or left it) and its log still has
 *     readers
 * @param lastSeq the last sequence number this node published on it (0 if none is known to its readers' streams)
 * @param readers the readers of this node's log of the channel, sorted by id; empty if this node publishes nothing
 *     there or no reader joined
 */
public record ChannelStatus(String channel, ChannelRole role, long lastSeq, List<SubscriberStatus> readers) {
    /** Copies the list. */
    public ChannelStatus {
        readers = List.copyOf(readers);
    }
}
