package dev.tether.internal.bus;

import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;

/**
 * An endpoint declared in the node's configuration ({@code TetherConfig.Builder.endpoint}): durable by configuration
 * (its messages wait while no handler is registered, as a durable endpoint's do), never stored, and registered with
 * {@code handler} before delivery starts if there is one.
 *
 * @param name the agent name, valid and not reserved
 * @param options its options when registered at start (ignored without a handler)
 * @param handler its handler, or null: code registers one with {@code Bus.endpoint} later
 */
public record ConfiguredEndpoint(String name, EndpointOptions options, EndpointHandler handler) {}
