package dev.tether.node;

import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.internal.bus.ConfiguredEndpoint;
import dev.tether.internal.runtime.LanePriority;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The part of {@link TetherConfig.Builder} that holds the node's bus settings: configured routing rules
 * (docs/MESSAGING.md, "Routing rules"), configured endpoints ("Endpoints"), lane priorities ("Priority") and the
 * message history (docs/OPERATIONS.md).
 * Its setters are the builder's: each validates its argument and returns the builder.
 */
abstract sealed class BusSettings extends HandlerSettings permits TetherConfig.Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<LanePriority> lanePriorities = new ArrayList<>();
    private HistoryOptions history;
    private final java.util.Map<String, ConfiguredEndpoint> endpoints = new java.util.LinkedHashMap<>();

    BusSettings() {}

    /**
     * Adds routing rule {@code rule} to the node's rules from the start (docs/MESSAGING.md, "Routing rules"). A
     * configured rule is not stored: it comes from the configuration at every start, and wins over a stored rule of
     * its name. It can be disabled, enabled, replaced or removed at run time like any rule, but that change lasts
     * until the node stops (it is not stored); a run-time {@code add} cannot take its name.
     *
     * @throws InvalidRuleException if it has no action, a configured rule of its name was given already, more than
     *     {@link dev.tether.bus.RoutingRules#MAX_RULES} are given
     */
    public TetherConfig.Builder rule(Rule rule) {
        Objects.requireNonNull(rule, "rule").requireComplete();
        for (Rule r : rules) {
            if (r.name().equals(rule.name())) {
                throw new InvalidRuleException(rule.name(), "name", "a configured rule of this name exists");
            }
        }
        if (rules.size() >= RoutingRules.MAX_RULES) {
            throw new InvalidRuleException(
                    rule.name(), "rules", "more than " + RoutingRules.MAX_RULES + " configured rules");
        }
        rules.add(rule);
        return (TetherConfig.Builder) this;
    }

    /**
     * Declares endpoint {@code name} of this node without a handler (docs/MESSAGING.md, "Endpoints", configured
     * endpoints): from the start, messages for it wait at the head of their streams, as a durable endpoint's do, until
     * code registers it ({@code Tether.bus(node).endpoint(name, ...)}). A configured endpoint is durable by
     * configuration: its name is not stored, it comes from the configuration at every start, and {@code Bus.forget}
     * refuses it.
     *
     * @throws InvalidConfigException if {@code name} is not a valid agent name, is reserved, was declared already, or
     *     more than {@link Bus#DEFAULT_MAX_ENDPOINTS} are declared
     */
    public TetherConfig.Builder endpoint(String name) {
        return declare(new ConfiguredEndpoint(name, EndpointOptions.defaults(), null));
    }

    /**
     * Declares endpoint {@code name} of this node (as {@link #endpoint(String)}) and registers it with {@code
     * options} and {@code handler} when the node starts, before any message is delivered: the node comes up with it
     * ({@code Bus.find(name)}). Closed later, its messages wait until it is registered again.
     *
     * @throws InvalidConfigException as {@link #endpoint(String)}
     */
    public TetherConfig.Builder endpoint(String name, EndpointOptions options, EndpointHandler handler) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        return declare(new ConfiguredEndpoint(name, options, handler));
    }

    private TetherConfig.Builder declare(ConfiguredEndpoint e) {
        try {
            Address.requireAgentName(e.name());
        } catch (InvalidIdException | IllegalArgumentException invalid) { // invalid, or reserved
            throw new InvalidConfigException("endpoint: " + invalid.getMessage());
        }
        if (endpoints.containsKey(e.name())) {
            throw new InvalidConfigException("endpoint '" + e.name() + "' is declared twice");
        }
        if (endpoints.size() >= Bus.DEFAULT_MAX_ENDPOINTS) {
            throw new InvalidConfigException("more than " + Bus.DEFAULT_MAX_ENDPOINTS + " configured endpoints");
        }
        endpoints.put(e.name(), e);
        return (TetherConfig.Builder) this;
    }

    /**
     * Gives messages sent on lanes matching {@code lanePattern} (a glob; an endpoint's lane is {@code _a.<agent>})
     * priority {@code level} (0-7, default 4) unless they carry their own ({@code
     * OutboundMessage.Builder.priority}). The first matching entry wins. See docs/MESSAGING.md, "Priority".
     *
     * @throws InvalidConfigException if the pattern is empty or the level outside 0-7
     */
    public TetherConfig.Builder lanePriority(String lanePattern, int level) {
        lanePriorities.add(LanePriority.configured(lanePattern, level));
        return (TetherConfig.Builder) this;
    }

    /**
     * Turns the message history on, bounded by {@code options} ({@link HistoryOptions#DEFAULT}: 1,000,000 entries, 7
     * days, metadata only); off by default (docs/OPERATIONS.md, "History").
     */
    public TetherConfig.Builder history(HistoryOptions options) {
        this.history = Objects.requireNonNull(options, "history");
        return (TetherConfig.Builder) this;
    }

    List<LanePriority> lanePriorities() {
        return List.copyOf(lanePriorities);
    }

    HistoryOptions historyOptions() {
        return history;
    }

    /** The configured endpoints, in the order given. */
    List<ConfiguredEndpoint> configuredEndpoints() {
        return List.copyOf(endpoints.values());
    }

    /** The configured rules, in the order given. */
    List<Rule> rules() {
        return List.copyOf(rules);
    }
}
