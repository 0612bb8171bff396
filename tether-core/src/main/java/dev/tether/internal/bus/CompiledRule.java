package dev.tether.internal.bus;

import dev.tether.bus.Match;
import dev.tether.bus.MessageKind;
import dev.tether.bus.Rule;
import dev.tether.bus.TextPattern;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * An installed routing rule: its patterns compiled, split into the stream-constant part ({@link #admitsStream}, run
 * once per stream and rule set) and the per-message part ({@link #admitsMessage}). Immutable but for its counters,
 * which it keeps across a replacement, an enabling or a disabling of the rule; thread-safe.
 */
final class CompiledRule {
    /** How often a rule acted and how often its regexes were abandoned; kept while the rule's name is installed. */
    static final class Counters {
        final LongAdder matched = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    final Rule rule;
    final Counters counters;
    /** Bits of the kinds the rule acts on (those its action does not apply to left out: {@code Action.appliesTo}). */
    final int kinds;

    private final CompiledPattern senderNode;
    private final CompiledPattern senderAgent;
    private final CompiledPattern recipient;
    private final CompiledPattern channel;
    private final CompiledPattern handler;
    private final CompiledPattern lane;
    private final String[] headerNames;
    private final CompiledPattern[] headerPatterns;

    CompiledRule(Rule rule, Counters counters) {
        this.rule = rule.requireComplete();
        this.counters = counters;
        Match m = rule.match();
        int k = 0;
        for (MessageKind kind : MessageKind.values()) {
            if (rule.action().appliesTo(kind) && m.admits(kind)) k |= StreamFacts.bit(kind);
        }
        this.kinds = k;
        this.senderNode = CompiledPattern.of(m.senderNode());
        this.senderAgent = CompiledPattern.of(m.senderAgent());
        this.recipient = CompiledPattern.of(m.recipient());
        this.channel = CompiledPattern.of(m.channel());
        this.handler = CompiledPattern.of(m.handler());
        this.lane = CompiledPattern.of(m.lane());
        this.headerNames = m.headers().keySet().toArray(new String[0]);
        this.headerPatterns = new CompiledPattern[headerNames.length];
        int i = 0;
        for (TextPattern p : m.headers().values()) headerPatterns[i++] = new CompiledPattern(p);
    }

    String name() {
        return rule.name();
    }

    /**
     * Calls {@code each} with every per-message pattern of the rule and the header it reads: {@value
     * StreamFacts#HANDLER} for the handler, {@value EndpointLanes#FROM} for the sending endpoint, the header's name
     * for a header (application header names never start with ':', so the names do not collide).
     */
    void messagePatterns(BiConsumer<String, CompiledPattern> each, boolean copies) {
        if (copies && channel != null) each.accept(EndpointLanes.CHANNEL, channel);
        if (copies && senderNode != null) each.accept(EndpointLanes.ORIGIN, senderNode);
        if (handler != null) each.accept(StreamFacts.HANDLER, handler);
        if (senderAgent != null) each.accept(EndpointLanes.FROM, senderAgent);
        for (int i = 0; i < headerNames.length; i++) each.accept(headerNames[i], headerPatterns[i]);
    }

    /**
     * Whether messages of a stream with facts {@code f} can match: its kinds, sender node, recipient, lane, channel.
     * An endpoint's channel copies are matched only by rules that name a recipient (the others acted on the channel
     * message this node received, before it was copied), their channel and publishing node per message.
     */
    boolean admitsStream(StreamFacts f) {
        if (f.copies) return (kinds & f.kinds) != 0 && recipient != null && holds(recipient, f.recipient);
        return (kinds & f.kinds) != 0
                && holds(senderNode, f.senderNode)
                && holds(recipient, f.recipient)
                && holds(lane, f.lane)
                && holds(channel, f.channel);
    }

    /**
     * Whether a message of kind {@code kind} with {@code headers} (all of them, reserved ones included), called
     * handler {@code calledHandler} and sending endpoint {@code fromAgent} (each null if none), from a stream this rule
     * {@linkplain #admitsStream admits}, matches. A header is looked up only by a rule with a pattern for it. A regex
     * abandoned on its budget does not match, is counted in {@link Counters#errors} and told to {@code errors}.
     */
    boolean admitsMessage(
            MessageKind kind,
            String calledHandler,
            String fromAgent,
            Map<String, String> headers,
            boolean copies,
            BiConsumer<String, String> errors) {
        if ((kinds & StreamFacts.bit(kind)) == 0) return false;
        if (copies
                && (!holds(channel, headers.get(EndpointLanes.CHANNEL), "channel", errors)
                        || !holds(senderNode, headers.get(EndpointLanes.ORIGIN), "senderNode", errors))) {
            return false;
        }
        if (!holds(handler, calledHandler, "handler", errors)
                || !holds(senderAgent, fromAgent, "senderAgent", errors)) {
            return false;
        }
        for (int i = 0; i < headerNames.length; i++) {
            if (!holds(headerPatterns[i], headers.get(headerNames[i]), "header." + headerNames[i], errors)) {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #holds(CompiledPattern, String, String, BiConsumer)} for a stream-constant field, checked once per
     * stream and rule set: an abandoned regex there is counted, not reported.
     */
    private boolean holds(CompiledPattern p, String value) {
        return holds(p, value, "", (rule, problem) -> {});
    }

    /**
     * Whether {@code value} of {@code field} matches {@code p} (null: no constraint); an abandoned regex is counted
     * and told to {@code errors} (rule name, problem).
     */
    private boolean holds(CompiledPattern p, String value, String field, BiConsumer<String, String> errors) {
        if (p == null) return true;
        int r = p.match(value);
        if (r == CompiledPattern.ABANDONED) {
            counters.errors.increment();
            errors.accept(
                    name(),
                    "match." + field + ": the regular expression read more than " + CountedChars.BUDGET
                            + " characters of a value of " + value.length()
                            + " characters and was abandoned as not matching");
        }
        return r == CompiledPattern.YES;
    }
}
