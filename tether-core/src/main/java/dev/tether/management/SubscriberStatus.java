package dev.tether.management;

import dev.tether.NodeId;

/**
 * A reader of this node's log of a channel ({@link NodeManagement#subscribers}): how far it has taken care of it.
 *
 * @param reader the reading node
 * @param connected whether it is connected now
 * @param cursor the last of this node's messages on the channel it acknowledged as processed
 * @param backlog messages published here it has not acknowledged yet (stored, waiting or in flight)
 * @param missed messages the log's retention deleted before it took them, as it reported them since this node started
 *     ({@link dev.tether.StreamStats#missed()})
 */
public record SubscriberStatus(NodeId reader, boolean connected, long cursor, long backlog, long missed) {}
