package dev.tether.node;

import dev.tether.InvalidConfigException;
import dev.tether.bus.HistoryOptions;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.internal.runtime.LanePriority;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The part of {@link TetherConfig.Builder} that holds the node's bus settings: configured routing rules
 * (docs/MESSAGING.md, "Routing rules"), lane priorities ("Priority") and the message history (docs/OPERATIONS.md).
 * Its setters are the builder's: each validates its argument and returns the builder.
 */
abstract sealed class BusSettings extends HandlerSettings permits TetherConfig.Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<LanePriority> lanePriorities = new ArrayList<>();
    private HistoryOptions history;

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

    /** The configured rules, in the order given. */
    List<Rule> rules() {
        return List.copyOf(rules);
    }
}
