package dev.tether.internal.bus;

import dev.tether.MessageTooLargeException;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.bus.Action;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.bus.RuleStats;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RouteRooms;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.WithEffects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The routing rules of a node at work (docs/BUS-DESIGN.md, section 2): the {@link RouteTable} the application changes
 * through {@link RoutingRules}, and the consumers of the terminal actions built so far, which the bus layer, the
 * node's first router, hands a message to when a rule changed its course. {@code drop} settles it as {@link
 * Outcome#DROPPED}, {@code deadLetter} moves it to the dead-letter queue with {@code rule <name>: <reason>} (no
 * retries), {@code deliver} hands it to another endpoint or handler of this node (one that does not exist: dead-letter
 * with the rule's name and the reason), {@code forward} sends it on to a node or endpoint and acknowledges it, and
 * each matching {@code copy} above the terminal rule sends a copy (section 2.4): those are effects of the settlement
 * ({@link RouteEffects}); to a channel, they are published on this node's log of it, if this node may publish there
 * when the message is routed. Thread-safe.
 */
final class RuleRouting implements RoutingRules {
    private final RuleErrors errors = new RuleErrors();
    private final RouteTable table = new RouteTable(errors);
    private final BusLayer bus;
    /** Where the rules are kept across restarts; null: in memory only. */
    private final StoredRules store;
    /** The names of the configured rules: never stored. */
    private final Set<String> configured = new HashSet<>();
    /** A send's size check, which each copy and forward passes too (it grew by the route's headers). */
    private final SizeCheck sizeCheck;

    /** A send's size check: the message's size, or {@link MessageTooLargeException} if it cannot be sent. */
    interface SizeCheck {
        long check(Map<String, String> headers, int payloadLength);
    }

    /** Settles a message as dropped, on whatever thread routed it. */
    private static final MessageConsumer DROP = new Settling() {
        @Override
        public void consume(RoutedDelivery d) {
            d.settleWithout(Outcome.DROPPED);
        }
    };

    /** A consumer that settles a message on whatever thread routed it: it only tells the engine. */
    private abstract static class Settling implements MessageConsumer {
        @Override
        public Executor executor() {
            return ANY_THREAD;
        }
    }

    /** Dead-letters a message with {@code reason}. */
    private static final class DeadLetter extends Settling {
        private final String reason;

        DeadLetter(String reason) {
            this.reason = reason;
        }

        @Override
        public void consume(RoutedDelivery d) {
            d.deadLetter(reason);
        }
    }

    /**
     * Rules of {@code bus}: {@code configured} (never stored), then those stored in {@code store} (null: in memory
     * only) under another name. A change of a configured rule lasts until the node stops. Each copy and forward must
     * pass {@code sizeCheck} (a send's: maxMessageBytes, header lengths and count).
     */
    RuleRouting(BusLayer bus, StoredRules store, List<Rule> configured, SizeCheck sizeCheck) {
        this.bus = bus;
        this.store = store;
        this.sizeCheck = sizeCheck;
        for (Rule r : configured) {
            table.change(s -> s.add(supported(r)));
            this.configured.add(r.name());
        }
        if (store == null) return;
        for (Rule r : store.load()) {
            try {
                if (this.configured.contains(r.name())) {
                    throw new InvalidRuleException(r.name(), "name", "a configured rule has this name; it wins");
                }
                table.change(s -> s.add(supported(r)));
            } catch (InvalidRuleException e) { // stored by a build that accepted it: kept in the store, not run
                System.getLogger(RuleRouting.class.getName())
                        .log(System.Logger.Level.WARNING, "stored routing rule not installed: " + e.getMessage());
            }
        }
    }

    /** Whether no rule is enabled now: every message routed now goes where it was addressed. */
    boolean noneEnabled() {
        return table.rules().isEmpty();
    }

    /**
     * The consumer of message {@code m} of {@code key} by the rules: the first matching terminal rule's, or {@code
     * addressed}'s (where it was addressed; null: the node's configured handler) if none matched; wrapped in {@link
     * WithEffects} when the route sends the message on (copies, a forward), so those are stored with the settlement
     * that ends the route. Any thread; lock-free.
     */
    MessageConsumer route(
            StreamKey key, InboundMessage m, BiFunction<StreamKey, InboundMessage, MessageConsumer> addressed) {
        Route r = table.route(key, m.headers());
        if (r == null) return addressed.apply(key, m);
        CompiledRule t = r.terminal();
        Action.Type type = t == null ? null : t.rule.action().type();
        if (r.copies().isEmpty() && type != Action.Type.FORWARD) {
            return t == null ? addressed.apply(key, m) : terminal(t, m);
        }
        if (type == Action.Type.DROP) return DROP; // a dropped message is not taken: nothing of its route is sent
        int hops = RouteEffects.hops(m.headers());
        String unroutable = unroutable(key, m, hops);
        if (unroutable != null) {
            String rule = (r.copies().isEmpty() ? t : r.copies().get(0)).name();
            errors.accept(rule, unroutable + "; the message was dead-lettered");
            return new DeadLetter("rule " + rule + ": " + unroutable);
        }
        List<Effect> effects = new ArrayList<>();
        for (CompiledRule c : r.copies()) {
            if (type == Action.Type.FORWARD && sameTarget(c, t, key)) continue; // a destination once: the forward's
            Effect e = copied(c, key, m, hops);
            if (e != null) effects.add(e);
        }
        MessageConsumer c = type != Action.Type.FORWARD ? null : forwarded(t, key, m, hops, effects);
        if (c == null) c = t == null ? addressed.apply(key, m) : terminal(t, m);
        if (effects.isEmpty()) return c;
        if (c instanceof WithEffects w) { // a channel message's copies to this node's endpoints: one settlement
            effects.addAll(0, w.effects());
            c = w.consumer();
        }
        RouteRooms rooms = bus.reserve(effects); // forwarding keeps backpressure: a full target holds the route
        if (rooms.refusal() == null) return new WithEffects(c, effects, rooms);
        CompiledRule bounding = bounding(r, t);
        if (bounding == null) return bus.full().parking(c, effects, 0, null);
        return bus.full()
                .parking(c, effects, bounding.rule.onFullDeadLetterAfter().toMillis(), bounding.name());
    }

    /**
     * Why message {@code m} of {@code key}, which made {@code hops} hops, may not be routed on (an invalid hop count or
     * trail from the peer, or a routing loop), or null.
     */
    private static String unroutable(StreamKey key, InboundMessage m, int hops) {
        if (hops < 0) return "invalid hop count header '" + RouteEffects.HOPS + "'";
        if (!RouteEffects.trailFits(m.headers())) {
            return "invalid route trail header '" + RouteEffects.TRAIL + "': longer than "
                    + RouteEffects.MAX_TRAIL_CHARS + " characters";
        }
        if (hops >= RouteEffects.MAX_HOPS) {
            return "routing loop: " + hops + " hops (" + RouteEffects.trail(key, m.headers()) + ")";
        }
        return null;
    }

    /**
     * The rule of route {@code r} (its copies and the forward {@code t}, if any) with the shortest {@code
     * onFullDeadLetterAfter} bound, or null if none has one.
     */
    private static CompiledRule bounding(Route r, CompiledRule t) {
        CompiledRule best = null;
        List<CompiledRule> all = new ArrayList<>(r.copies());
        if (t != null && t.rule.action().type() == Action.Type.FORWARD) all.add(t);
        for (CompiledRule c : all) {
            Duration d = c.rule.onFullDeadLetterAfter();
            if (d != null && (best == null || d.compareTo(best.rule.onFullDeadLetterAfter()) < 0)) best = c;
        }
        return best;
    }

    /**
     * The consumer of message {@code m} forwarded by rule {@code t}: it acknowledges the message, the forward added to
     * {@code effects}; or, if the target cannot be sent to now, it dead-letters the message with the rule's name and
     * the reason.
     */
    private MessageConsumer forwarded(CompiledRule t, StreamKey key, InboundMessage m, int hops, List<Effect> effects) {
        String problem = problem(t.rule.action(), key);
        if (problem != null) {
            errors.accept(t.name(), problem + "; the message was dead-lettered");
            return new DeadLetter("rule " + t.name() + ": " + problem);
        }
        Effect e = RouteEffects.effect(
                bus.self(), t.name(), RouteEffects.target(t.rule.action(), key), true, key, m, hops);
        String tooLarge = tooLarge(t, e);
        if (tooLarge != null) {
            errors.accept(t.name(), tooLarge + "; the message was dead-lettered");
            return new DeadLetter("rule " + t.name() + ": " + tooLarge);
        }
        effects.add(e);
        return MessageConsumer.ACK_NOW; // a forward, sent on with the settlement
    }

    /** The consumer of terminal rule {@code t} (not a forward) for message {@code m}. */
    private MessageConsumer terminal(CompiledRule t, InboundMessage m) {
        String rule = t.name();
        Action a = t.rule.action();
        switch (a.type()) {
            case DROP:
                return DROP;
            case DEAD_LETTER:
                return new DeadLetter("rule " + rule + ": " + a.value());
            case DELIVER:
                boolean agent = a.target() == Action.Target.AGENT;
                MessageConsumer c =
                        agent ? bus.endpointConsumer(a.value(), m) : bus.calls().handler(a.value());
                if (c != null) return c;
                String problem = a + ": no " + (agent ? "endpoint '" : "handler '") + a.value() + "' on this node";
                errors.accept(rule, problem + "; the message was dead-lettered");
                return new DeadLetter("rule " + rule + ": " + problem);
            default: // forward and copy are routed above
                throw new IllegalStateException("rule " + rule + " has an action not terminal here: " + a);
        }
    }

    /**
     * The copy of message {@code m} by rule {@code r}, or null if its target cannot be sent to now (reported as the
     * rule's error: the copy is left out, the message goes on).
     */
    private Effect copied(CompiledRule r, StreamKey key, InboundMessage m, int hops) {
        String problem = problem(r.rule.action(), key);
        if (problem != null) {
            errors.accept(r.name(), problem + "; no copy was sent");
            return null;
        }
        Effect e = RouteEffects.effect(
                bus.self(), r.name(), RouteEffects.target(r.rule.action(), key), false, key, m, hops);
        String tooLarge = tooLarge(r, e);
        if (tooLarge == null) return e;
        errors.accept(r.name(), tooLarge + "; no copy was sent");
        return null;
    }

    /**
     * Why routed message {@code e} of rule {@code r} cannot be sent (the original with the route's {@value
     * RouteEffects#HOPS} and {@value RouteEffects#TRAIL} headers no longer fits a message), or null: it is checked as
     * a send is, so that no message the wire cannot carry is stored.
     */
    private String tooLarge(CompiledRule r, Effect e) {
        try {
            sizeCheck.check(e.headers(), e.payload().length);
            return null;
        } catch (MessageTooLargeException x) {
            return r.rule.action() + ": the routed message is too large: " + x.getMessage();
        }
    }

    private static boolean sameTarget(CompiledRule x, CompiledRule y, StreamKey key) {
        return RouteEffects.target(x.rule.action(), key).equals(RouteEffects.target(y.rule.action(), key));
    }

    /**
     * Why {@code a}'s target cannot be sent to now (an unknown or removed node, no such endpoint here, a channel this
     * node may not publish on or a volatile message for a channel), or null.
     */
    private String problem(Action a, StreamKey key) {
        RouteEffects.Target t = RouteEffects.target(a, key);
        if (t.channel() != null) {
            if (key.isVolatile()) return a + ": a volatile message is not published on a channel (its log is stored)";
            String refusal = bus.publishRefusal(t.channel());
            return refusal == null ? null : a + ": " + refusal;
        }
        if (!t.node().equals(bus.self())) {
            String refusal = bus.refusal(t.node());
            return refusal == null ? null : a + ": " + refusal;
        }
        boolean missing = t.agent() != null && !bus.hasEndpoint(t.agent());
        return missing ? a + ": no endpoint '" + t.agent() + "' on this node" : null;
    }

    /** Node thread, every turn: reports the rules' errors since the last turn (rate-limited) to {@code emit}. */
    void endOfTurn(long now, Consumer<TetherEvent> emit) {
        errors.endOfTurn(now, emit);
    }

    // ---- the application ----

    @Override
    public void add(Rule rule) {
        Rule r = supported(rule);
        change(r.name(), s -> s.add(r));
    }

    @Override
    public void replace(Rule rule) {
        Rule r = supported(rule);
        change(r.name(), s -> s.replace(r));
    }

    private static Rule supported(Rule rule) {
        return Objects.requireNonNull(rule, "rule").requireComplete();
    }

    @Override
    public boolean remove(String name) {
        return changed(name, s -> s.remove(name));
    }

    @Override
    public boolean enable(String name) {
        return changed(name, s -> s.enable(name, true));
    }

    @Override
    public boolean disable(String name) {
        return changed(name, s -> s.enable(name, false));
    }

    /** Applies {@code change} if rule {@code name} exists; whether it did (checked under the same lock). */
    private boolean changed(String name, UnaryOperator<RuleSet> change) {
        Objects.requireNonNull(name, "name");
        synchronized (table) {
            if (table.rules().get(name) == null) return false;
            change(name, change);
            return true;
        }
    }

    /**
     * Applies {@code change} (of rule {@code name}) to the current snapshot, stores the rule's new state and installs
     * the result; if {@code change} throws, or the store cannot be written, nothing changed. Changes are serialized,
     * and routing uses the old snapshot until the new one is stored.
     */
    private void change(String name, UnaryOperator<RuleSet> change) {
        synchronized (table) {
            RuleSet now = table.rules();
            RuleSet next = change.apply(now);
            if (next == now) return;
            CompiledRule r = next.get(name);
            if (configured.contains(name)) {
                if (r == null) configured.remove(name); // the name is free now: a rule added under it is stored
            } else if (store != null) {
                store.write(name, r == null ? null : r.rule);
            }
            table.change(s -> next);
        }
    }

    @Override
    public List<Rule> list() {
        return table.rules().list();
    }

    @Override
    public List<RuleStats> stats() {
        RuleSet s = table.rules();
        List<RuleStats> l = new ArrayList<>();
        for (Rule r : s.list()) {
            CompiledRule c = s.get(r.name());
            l.add(new RuleStats(r.name(), c.counters.matched.sum(), c.counters.errors.sum()));
        }
        return l;
    }
}
