package dev.tether.bus;

import java.util.List;

/**
 * The routing rules of a node (docs/MESSAGING.md, "Routing rules"), reached as {@code Tether.bus(node).rules()}.
 * Rules run at the node that receives a message, right before it would be handed to its consumer; each message's
 * route is decided with one snapshot of the rules. Every change installs a new snapshot before it returns: a message
 * routed after that uses it, one routed before keeps its route. Thread-safe; changes are serialized, routing never
 * waits for them. Every change is stored in the node's store (namespace {@code _rules}) before it is installed and
 * returns: a restarted node starts with its rules, their priorities and enabled flags. A change waits for the store,
 * so it must not be made on the node thread (an {@code onNodeThread()} handler): {@link IllegalStateException}.
 * After the node shut down a change throws {@code NodeClosedException}.
 */
public interface RoutingRules {
    /**
     * Adds {@code rule}.
     *
     * @throws InvalidRuleException if it has no action, a rule of its name exists, the node has {@value
     *     #MAX_RULES} rules; nothing changed
     */
    void add(Rule rule);

    /**
     * Replaces the rule of {@code rule}'s name by {@code rule}; its counters stay.
     *
     * @throws InvalidRuleException as {@link #add}, or if no rule of that name exists
     */
    void replace(Rule rule);

    /** Removes rule {@code name}; false if there is none. */
    boolean remove(String name);

    /** Enables rule {@code name}; false if there is none. */
    boolean enable(String name);

    /** Disables rule {@code name} (kept and listed, not evaluated); false if there is none. */
    boolean disable(String name);

    /** Every rule, enabled or not, in evaluation order: higher priority first, then by name. */
    List<Rule> list();

    /** The counters of every rule, in evaluation order. */
    List<RuleStats> stats();

    /** Most rules per node. */
    int MAX_RULES = 1_024;
}
