package dev.tether.management;

import dev.tether.NodeId;
import java.util.List;

/**
 * What a kick did on the node it was asked of ({@link NodeManagement#kick}); every peer in {@code told} does the same
 * to its own log when it takes the kick message, and the kicked node is told too.
 *
 * @param channel the channel
 * @param node the kicked node
 * @param wasReader whether {@code node} was a reader of this node's log of the channel
 * @param dropped how many messages of this node's log {@code node} had not taken care of: it will not get them
 * @param told the peers told to kick it as well (the kicked node excluded): those whose message is stored, so they
 *     take it even if they are down now (a peer whose message could not be stored is reported and told again at
 *     the next start); sorted by id
 */
public record KickResult(String channel, NodeId node, boolean wasReader, long dropped, List<NodeId> told) {
    /** Copies {@code told}. */
    public KickResult {
        told = List.copyOf(told);
    }
}
