package dev.tether.node;

import dev.tether.MessageHandler;
import dev.tether.bus.Rule;
import dev.tether.internal.bus.ConfiguredEndpoint;
import dev.tether.internal.call.EventSettings;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.spi.Codec;
import java.util.List;
import java.util.Map;

/**
 * What a {@link TetherConfig} has the node install before it starts, so that nothing it receives from its first
 * connection on can miss it: named handlers, channel handlers, routing rules and endpoints, with the codec of the
 * typed handlers (null: the one on the class path) and the settings of distributed events.
 *
 * @param namedHandlers the named handlers, in the order given
 * @param channelHandlers the channel handlers by channel, in the order given
 */
record StartRegistrations(
        List<HandlerSpec> namedHandlers,
        Map<String, MessageHandler> channelHandlers,
        Codec codec,
        EventSettings events,
        List<Rule> rules,
        List<ConfiguredEndpoint> endpoints) {}
