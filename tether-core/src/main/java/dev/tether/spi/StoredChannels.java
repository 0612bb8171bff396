package dev.tether.spi;

import java.util.List;

/**
 * The channel state of a store ({@link Store#readChannels}): this node's memberships and the logs of the channels
 * it publishes on (every channel with a publish or a reader), each with its readers.
 */
public record StoredChannels(List<ChannelMembership> memberships, List<ChannelLog> logs) {
    /** Copies the lists. */
    public StoredChannels {
        memberships = List.copyOf(memberships);
        logs = List.copyOf(logs);
    }
}
