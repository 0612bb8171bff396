package dev.tether.management;

import dev.tether.NodeId;
import java.util.List;

/**
 * What a kick from the cluster did on the node it was asked of ({@link NodeManagement#kick(NodeId)}); every peer in
 * {@code told} does the same when it takes the kick message.
 *
 * @param node the kicked node
 * @param wasKnown whether this node knew {@code node} as a peer
 * @param purged how many messages of this node's outbox to {@code node} were purged (their {@code processed()}
 *     futures completed with {@link dev.tether.Outcome#PURGED})
 * @param dropped how many messages of this node's channel logs {@code node} had not taken care of: it will not get them
 * @param told the peers told to kick it as well: those whose message is stored, so they take it even if they are
 *     down now (a peer whose message could not be stored is reported and told again at the next start); sorted by
 *     id
 */
public record NodeKickResult(NodeId node, boolean wasKnown, long purged, long dropped, List<NodeId> told) {
    /** Copies {@code told}. */
    public NodeKickResult {
        told = List.copyOf(told);
    }
}
