package dev.tether.spi;

import java.util.List;

/**
 * A stored channel log of this node: the highest sequence number ever published ({@code lastSeq}), the highest one
 * trimmed away ({@code trimmedSeq}; the log holds exactly {@code trimmedSeq+1..lastSeq}), the payload bytes of the
 * messages it holds ({@code retainedBytes}) and the channel's readers.
 */
public record ChannelLog(
        String channel, long lastSeq, long trimmedSeq, long retainedBytes, List<ChannelReader> readers) {
    /** Copies {@code readers}. */
    public ChannelLog {
        readers = List.copyOf(readers);
    }

    /** How many messages the log holds. */
    public long retainedMessages() {
        return lastSeq - trimmedSeq;
    }
}
