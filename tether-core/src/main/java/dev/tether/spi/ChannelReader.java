package dev.tether.spi;

import dev.tether.NodeId;

/**
 * A reader of a channel this node publishes on, as its publisher stores it: the reader's cursor {@code ackedSeq}
 * (every message of the log up to it is taken care of for this reader, or lies before the reader's start). The
 * reader's whole state at the publisher: no copy of any message.
 */
public record ChannelReader(String channel, NodeId reader, long ackedSeq) {}
