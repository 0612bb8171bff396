package dev.tether.bus;

import dev.tether.Channels;
import dev.tether.HandlerNames;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a routing {@link Rule} does with a message it matches (docs/MESSAGING.md, "Routing rules"). Every action but
 * {@link #copy} is terminal: the first matching terminal rule decides the message's fate. Immutable; compared by
 * value.
 */
public final class Action {
    /** Longest dead-letter reason, in characters. */
    public static final int MAX_REASON_LENGTH = 200;

    /** The kind of action. */
    public enum Type {
        /** Hand the message to another endpoint or handler of this node instead of the one addressed. */
        DELIVER,
        /** Send it on to another node, endpoint or channel instead of delivering it here. */
        FORWARD,
        /** Also send a copy to an endpoint or channel (a tap); the only action that is not terminal. */
        COPY,
        /** Settle it without processing: counted under the rule's name, the sender sees {@code Outcome.DROPPED}. */
        DROP,
        /** Put it into this node's dead-letter queue with the reason {@code rule <name>: <reason>}. */
        DEAD_LETTER
    }

    /** What the action's target names. */
    public enum Target {
        /** No target ({@link Type#DROP}, {@link Type#DEAD_LETTER}). */
        NONE,
        /** An endpoint of this node, by agent name. */
        AGENT,
        /** A named handler of this node. */
        HANDLER,
        /** A node. */
        NODE,
        /** An endpoint, {@code node/agent}. */
        ADDRESS,
        /** A channel. */
        CHANNEL
    }

    private static final Action DROP = new Action(Type.DROP, Target.NONE, null);

    private final Type type;
    private final Target target;
    private final String value;

    private Action(Type type, Target target, String value) {
        this.type = type;
        this.target = target;
        this.value = value;
    }

    /** Hand the message to this node's endpoint {@code agent} instead of the one addressed. */
    public static Action deliverToAgent(String agent) {
        return new Action(Type.DELIVER, Target.AGENT, checkedAgent(agent));
    }

    /** Hand the message to this node's named handler {@code handler} (as a tell, or as the call's handler). */
    public static Action deliverToHandler(String handler) {
        return new Action(Type.DELIVER, Target.HANDLER, checkedName("handler", handler));
    }

    /** Send the message on to node {@code node}, on the lane it arrived on. */
    public static Action forward(NodeId node) {
        return new Action(
                Type.FORWARD, Target.NODE, Objects.requireNonNull(node, "node").value());
    }

    /** Send the message on to endpoint {@code to}. */
    public static Action forward(Address to) {
        return new Action(Type.FORWARD, Target.ADDRESS, endpointAddress(to));
    }

    /** Publish the message on channel {@code channel} instead of delivering it. */
    public static Action forwardToChannel(String channel) {
        return new Action(Type.FORWARD, Target.CHANNEL, checkedName("channel", channel));
    }

    /** Also send a copy to endpoint {@code to}. */
    public static Action copy(Address to) {
        return new Action(Type.COPY, Target.ADDRESS, endpointAddress(to));
    }

    /** Also publish a copy on channel {@code channel}. */
    public static Action copyToChannel(String channel) {
        return new Action(Type.COPY, Target.CHANNEL, checkedName("channel", channel));
    }

    /** Settle the message without processing it, counted under the rule's name. */
    public static Action drop() {
        return DROP;
    }

    /**
     * Dead-letter the message with {@code reason} (1-{@value #MAX_REASON_LENGTH} printable characters).
     *
     * @throws InvalidRuleException if the reason is empty, too long or not printable
     */
    public static Action deadLetter(String reason) {
        Objects.requireNonNull(reason, "reason");
        boolean ok = !reason.isEmpty() && reason.length() <= MAX_REASON_LENGTH;
        for (int i = 0; ok && i < reason.length(); i++) ok = reason.charAt(i) >= 0x20 && reason.charAt(i) != 0x7f;
        if (!ok) {
            throw new InvalidRuleException(
                    null, "action", "dead-letter reason: expected 1-" + MAX_REASON_LENGTH + " printable characters");
        }
        return new Action(Type.DEAD_LETTER, Target.NONE, reason);
    }

    private static String checkedAgent(String agent) {
        return checked(() -> Address.requireAgentName(agent));
    }

    private static String checkedName(String what, String name) {
        return checked(() -> what.equals("handler")
                ? HandlerNames.requireApplicationName(name)
                : Channels.requireApplicationChannel(name));
    }

    /** {@code check}'s result; its refusal as an invalid action. */
    private static String checked(Supplier<String> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException | InvalidIdException e) {
            throw new InvalidRuleException(null, "action", e.getMessage());
        }
    }

    private static String endpointAddress(Address to) {
        Objects.requireNonNull(to, "address");
        if (to.isNode()) {
            throw new InvalidRuleException(null, "action", "address " + to + " names a node, not an endpoint");
        }
        return to.toString();
    }

    public Type type() {
        return type;
    }

    public Target target() {
        return target;
    }

    /**
     * The target: an agent name, handler name, node id, {@code node/agent} or channel name; for {@link
     * Type#DEAD_LETTER} the reason; null for {@link Type#DROP}.
     */
    public String value() {
        return value;
    }

    /** Whether a rule with this action acts on responses: only {@link Type#COPY} and {@link Type#DROP} do. */
    public boolean appliesToResponses() {
        return appliesTo(MessageKind.RESPONSE);
    }

    /**
     * Whether a rule with this action acts on messages of {@code kind}; it skips the others, which go on to the rules
     * below it. {@link Type#COPY} and {@link Type#DROP} act on every kind; {@link Type#DELIVER} and {@link
     * Type#DEAD_LETTER} on all but responses; {@link Type#FORWARD} to a node on direct messages only (it keeps the lane,
     * and a request's reply could not find its caller, a publish has no lane of its own), to an endpoint on direct
     * messages, publishes and broadcasts (it arrives there as a direct message).
     */
    public boolean appliesTo(MessageKind kind) {
        Objects.requireNonNull(kind, "kind");
        return switch (type) {
            case COPY, DROP -> true;
            case DELIVER, DEAD_LETTER -> kind != MessageKind.RESPONSE;
            case FORWARD ->
                target == Target.NODE
                        ? kind == MessageKind.DIRECT
                        : kind != MessageKind.RESPONSE && kind != MessageKind.REQUEST;
        };
    }

    /** Whether the first matching rule with this action ends evaluation (all but {@link Type#COPY}). */
    public boolean isTerminal() {
        return type != Type.COPY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Action a && a.type == type && a.target == target && Objects.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, target, value);
    }

    /** For example {@code drop}, {@code deadLetter(too big)}, {@code deliver(agent:bob)}, {@code copy(address:a/r)}. */
    @Override
    public String toString() {
        String t = type == Type.DEAD_LETTER ? "deadLetter" : type.name().toLowerCase(Locale.ROOT);
        if (type == Type.DROP) return t;
        if (type == Type.DEAD_LETTER) return t + "(" + value + ")";
        return t + "(" + target.name().toLowerCase(Locale.ROOT) + ":" + value + ")";
    }
}
