package dev.tether.internal.runtime;

import dev.tether.PeerRemoval;

/**
 * What a cluster kick did to this node's view of the kicked node ({@link NodeRuntime#kickPeer}).
 *
 * @param removal the removal of the peer
 * @param purged messages to it that were purged (their outcome is PURGED)
 */
public record PeerKick(PeerRemoval removal, long purged) {}
