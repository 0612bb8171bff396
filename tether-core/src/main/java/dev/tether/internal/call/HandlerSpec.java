package dev.tether.internal.call;

import dev.tether.AsyncHandler;
import dev.tether.Handler;
import dev.tether.HandlerOptions;

/**
 * A handler given in the configuration, registered before the node starts delivering, so that calls stored while
 * the node was down never meet a node without it. Exactly one of {@code sync} and {@code async} is set.
 */
public record HandlerSpec(String name, HandlerOptions options, Handler sync, AsyncHandler async) {}
