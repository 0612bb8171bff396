package dev.tether.internal.bus;

import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of a node's routing rules with a version (docs/BUS-DESIGN.md, section 2.2): every change
 * makes a new snapshot with the next version, published by its owner through a volatile reference, so routing reads
 * it on any thread without a lock and each routing decision uses one snapshot.
 */
final class RuleSet {
    /** Most rules per node. */
    static final int MAX_RULES = RoutingRules.MAX_RULES;

    static final RuleSet EMPTY = new RuleSet(0, Map.of());

    final long version;
    private final Map<String, CompiledRule> byName;
    /** The enabled rules in evaluation order ({@link Rule#ORDER}). */
    private final CompiledRule[] active;

    private RuleSet(long version, Map<String, CompiledRule> byName) {
        this.version = version;
        this.byName = byName;
        List<CompiledRule> a = new ArrayList<>();
        for (CompiledRule r : byName.values()) {
            if (r.rule.isEnabled()) a.add(r);
        }
        a.sort((x, y) -> Rule.ORDER.compare(x.rule, y.rule));
        this.active = a.toArray(new CompiledRule[0]);
    }

    /**
     * This set with {@code rule} added.
     *
     * @throws InvalidRuleException if it is incomplete, a rule of its name exists, or the set is full
     */
    RuleSet add(Rule rule) {
        rule.requireComplete();
        if (byName.containsKey(rule.name()))
            throw new InvalidRuleException(rule.name(), "name", "a rule of this name exists");
        if (byName.size() >= MAX_RULES) {
            throw new InvalidRuleException(
                    rule.name(), "rules", "the node has " + MAX_RULES + " rules, the most it may have");
        }
        return with(rule, new CompiledRule.Counters());
    }

    /**
     * This set with {@code rule} in place of the rule of its name (whose counters it keeps).
     *
     * @throws InvalidRuleException if it is incomplete or no rule of its name exists
     */
    RuleSet replace(Rule rule) {
        rule.requireComplete();
        CompiledRule old = byName.get(rule.name());
        if (old == null) throw new InvalidRuleException(rule.name(), "name", "no rule of this name to replace");
        return with(rule, old.counters);
    }

    /** This set without rule {@code name}; this same set if it has none. */
    RuleSet remove(String name) {
        if (!byName.containsKey(name)) return this;
        TreeMap<String, CompiledRule> m = new TreeMap<>(byName);
        m.remove(name);
        return new RuleSet(version + 1, Collections.unmodifiableMap(m));
    }

    /** This set with rule {@code name} enabled or disabled; this same set if it has none or it is so already. */
    RuleSet enable(String name, boolean enabled) {
        CompiledRule old = byName.get(name);
        if (old == null || old.rule.isEnabled() == enabled) return this;
        return with(old.rule.enabled(enabled), old.counters);
    }

    private RuleSet with(Rule rule, CompiledRule.Counters counters) {
        CompiledRule c = new CompiledRule(rule, counters); // compiles its regexes: installed only if all do
        TreeMap<String, CompiledRule> m = new TreeMap<>(byName);
        m.put(rule.name(), c);
        return new RuleSet(version + 1, Collections.unmodifiableMap(m));
    }

    /** The rule named {@code name}, or null. */
    CompiledRule get(String name) {
        return byName.get(name);
    }

    /** Every rule, enabled or not, in evaluation order. */
    List<Rule> list() {
        List<Rule> l = new ArrayList<>(byName.size());
        for (CompiledRule r : byName.values()) l.add(r.rule);
        l.sort(Rule.ORDER);
        return l;
    }

    boolean isEmpty() {
        return active.length == 0;
    }

    /**
     * The enabled rules that can match messages of a stream with facts {@code f} (null: Tether's own, none), in
     * evaluation order.
     */
    CompiledRule[] candidates(StreamFacts f) {
        if (f == null || active.length == 0) return NONE;
        List<CompiledRule> c = new ArrayList<>();
        for (CompiledRule r : active) {
            if (r.admitsStream(f)) c.add(r);
        }
        return c.isEmpty() ? NONE : c.toArray(new CompiledRule[0]);
    }

    static final CompiledRule[] NONE = new CompiledRule[0];
}
