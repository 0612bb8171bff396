package dev.tether.internal.bus;

import dev.tether.ChannelRole;
import java.util.concurrent.CompletableFuture;

/**
 * The node's own channel memberships, as its endpoints need them (the channel layer, seen from the bus layer without
 * depending on it): an endpoint that joins a channel makes its node a member. Thread-safe.
 */
public interface NodeChannels {
    /** Joins {@code channel} as {@code role} now (replacing the node's role), as {@code TetherNode.join}. */
    CompletableFuture<Void> join(String channel, ChannelRole role);

    /** Leaves {@code channel}, as {@code TetherNode.leave}. */
    CompletableFuture<Void> leave(String channel);

    /** The role this node joined {@code channel} with, or null. */
    ChannelRole role(String channel);

    /** Why this node may not publish on {@code channel} now, or null if it may; any thread. */
    RuntimeException publishRefusal(String channel);
}
