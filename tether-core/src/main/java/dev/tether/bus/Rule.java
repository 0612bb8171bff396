package dev.tether.bus;

import dev.tether.Lanes;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;

/**
 * A routing rule of a node (docs/MESSAGING.md, "Routing rules"): a unique name, a priority (higher first, ties by
 * name), an enabled flag, one {@link Match} and one {@link Action}. Rules run at the node that receives a message,
 * right before it would be handed to its consumer. Immutable: {@code Rule.named("x").priority(10).match(m)
 * .action(a)} builds one step by step, each step returning a new rule. Compared by value.
 */
public final class Rule {
    /** Longest rule name, in characters. */
    public static final int MAX_NAME_LENGTH = 64;

    /** The longest {@link #onFullDeadLetterAfter} bound, in days. */
    public static final int MAX_FULL_WAIT_DAYS = 365;

    /** The order rules are evaluated in: higher priority first, then by name. */
    public static final Comparator<Rule> ORDER =
            Comparator.comparingInt((Rule r) -> -r.priority).thenComparing(Rule::name);

    private final String name;
    private final int priority;
    private final boolean enabled;
    private final Match match;
    private final Action action;
    /** Milliseconds a full target stream is waited for before the message is dead-lettered; 0: no bound. */
    private final long fullMillis;

    private Rule(String name, int priority, boolean enabled, Match match, Action action, long fullMillis) {
        this.name = name;
        this.priority = priority;
        this.enabled = enabled;
        this.match = match;
        this.action = action;
        this.fullMillis = fullMillis;
    }

    /**
     * A rule named {@code name} (1-{@value #MAX_NAME_LENGTH} characters from {@code [A-Za-z0-9._-]}), priority 0,
     * enabled, matching {@linkplain Match#any() anything}, without an action yet.
     *
     * @throws InvalidRuleException if the name is invalid
     */
    public static Rule named(String name) {
        if (!isValidName(name)) {
            throw new InvalidRuleException(
                    null, "name", "'" + name + "': expected 1-" + MAX_NAME_LENGTH + " characters from [A-Za-z0-9._-]");
        }
        return new Rule(name, 0, true, Match.any(), null, 0);
    }

    /** Whether {@code name} is a valid rule name (the characters and length of a lane's). */
    public static boolean isValidName(String name) {
        return Lanes.isValid(name);
    }

    /** This rule with priority {@code priority} (any int; higher is evaluated first). */
    public Rule priority(int priority) {
        return new Rule(name, priority, enabled, match, action, fullMillis);
    }

    /** This rule enabled or disabled (a disabled rule is kept and listed, never evaluated). */
    public Rule enabled(boolean enabled) {
        return new Rule(name, priority, enabled, match, action, fullMillis);
    }

    /**
     * This rule with {@code match}.
     *
     * @throws InvalidRuleException if the match admits only kinds the action does not apply to ({@link
     *     Action#appliesTo}; for example only responses, and the action is not {@code copy} or {@code drop})
     */
    public Rule match(Match match) {
        return checked(new Rule(name, priority, enabled, Objects.requireNonNull(match, "match"), action, fullMillis));
    }

    /**
     * This rule with {@code action}.
     *
     * @throws InvalidRuleException as {@link #match}
     */
    public Rule action(Action action) {
        return checked(new Rule(name, priority, enabled, match, Objects.requireNonNull(action, "action"), fullMillis));
    }

    /**
     * This rule, whose {@code copy} or {@code forward} waits at most {@code deadLetterAfter} for room in a full target
     * stream (docs/MESSAGING.md, "Routing rules": the message waits unsettled at the head of its stream), then
     * dead-letters the message instead; without it the message waits until room comes or its deadline passes.
     *
     * @throws InvalidRuleException if {@code deadLetterAfter} is not between 1 ms and {@value #MAX_FULL_WAIT_DAYS}
     *     days
     */
    public Rule onFullDeadLetterAfter(Duration deadLetterAfter) {
        Objects.requireNonNull(deadLetterAfter, "deadLetterAfter");
        if (deadLetterAfter.compareTo(Duration.ofMillis(1)) < 0
                || deadLetterAfter.compareTo(Duration.ofDays(MAX_FULL_WAIT_DAYS)) > 0) {
            throw new InvalidRuleException(
                    name, "onFull", deadLetterAfter + ": expected 1 ms to " + MAX_FULL_WAIT_DAYS + " days");
        }
        return new Rule(name, priority, enabled, match, action, deadLetterAfter.toMillis());
    }

    /** How long a full target stream is waited for before the message is dead-lettered, or null: no bound. */
    public Duration onFullDeadLetterAfter() {
        return fullMillis == 0 ? null : Duration.ofMillis(fullMillis);
    }

    /**
     * Responses can only be copied or dropped: a rule whose action would deliver, forward or dead-letter a reply
     * skips replies, so one that matches nothing else would never act; likewise for any kind its action does not
     * apply to ({@link Action#appliesTo}).
     */
    private static Rule checked(Rule r) {
        if (r.action != null
                && !r.action.appliesToResponses()
                && r.match.kinds().equals(Set.of(MessageKind.RESPONSE))) {
            throw new InvalidRuleException(
                    r.name,
                    "action",
                    r.action + " on responses only: a response can only be copied or dropped, so the rule would never"
                            + " act");
        }
        if (r.action != null
                && !r.match.kinds().isEmpty()
                && r.match.kinds().stream().noneMatch(r.action::appliesTo)) {
            throw new InvalidRuleException(
                    r.name,
                    "action",
                    r.action + " on " + r.match.kinds() + " only: it acts on none of these kinds, so the rule would"
                            + " never act (a forward to a node takes direct messages, to an endpoint also publishes and"
                            + " broadcasts)");
        }
        return r;
    }

    /**
     * This rule if it is complete (has an action).
     *
     * @throws InvalidRuleException if it has no action
     */
    public Rule requireComplete() {
        if (action == null) throw new InvalidRuleException(name, "action", "missing");
        return this;
    }

    public String name() {
        return name;
    }

    public int priority() {
        return priority;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public Match match() {
        return match;
    }

    /** The action, or null if none was given yet. */
    public Action action() {
        return action;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r
                && r.name.equals(name)
                && r.priority == priority
                && r.enabled == enabled
                && r.match.equals(match)
                && Objects.equals(r.action, action)
                && r.fullMillis == fullMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, priority, enabled, match, action, fullMillis);
    }

    /**
     * The rule's textual form, which {@link #parse} reads back to an equal rule: {@code field=value} pairs separated
     * by spaces, values escaped ({@code %}, space and control characters as {@code %XX}), for example {@code
     * name=no-spam priority=10 kind=direct recipient=exact:orders header.spam=exact:yes action=drop} (fields:
     * docs/MESSAGING.md, "Routing rules"). Used by the CLI, the management HTTP routes and the node's store.
     */
    public String toText() {
        return RuleText.format(this);
    }

    /**
     * Reads {@link #toText}'s form: {@code name} and {@code action} are required; {@code priority} (default 0),
     * {@code enabled} (default true), {@code onFull} ({@code deadLetterAfter(NNNms)}), {@code kind} (comma-separated), {@code senderNode}, {@code senderAgent}, {@code
     * recipient}, {@code channel}, {@code handler}, {@code lane} and {@code header.NAME} (patterns as {@link
     * TextPattern#parse}) are optional.
     *
     * @throws InvalidRuleException naming the field and the problem: an unknown or repeated field, a bad value, a
     *     bad escape, a missing name or action
     */
    public static Rule parse(String text) {
        return RuleText.parse(text);
    }

    @Override
    public String toString() {
        return "Rule[" + name + " priority " + priority + (enabled ? "" : " disabled") + " " + match + " -> " + action
                + (fullMillis == 0 ? "" : " onFull deadLetterAfter " + fullMillis + " ms") + "]";
    }
}
