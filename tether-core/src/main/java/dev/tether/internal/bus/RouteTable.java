package dev.tether.internal.bus;

import dev.tether.bus.MessageKind;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * A node's routing rules at run time (docs/BUS-DESIGN.md, sections 2.2 and 2.3): the current {@link RuleSet},
 * changed one change at a time and published through a volatile reference, and per inbound stream the cached
 * candidates (the enabled rules whose stream-constant fields can match the stream), recomputed when the set's version
 * changes, indexed by their per-message fields ({@link CandidateIndex}): per message the matching candidates are the
 * intersection of a few cached bit sets, so a stream no rule concerns costs a map lookup and a version check, and
 * candidates that do not match cost nearly nothing. Routing is lock-free and runs on any thread; changes are serialized.
 */
final class RouteTable {
    /** Most streams whose candidates are cached; beyond it the cache starts again (streams come and go). */
    static final int MAX_CACHED_STREAMS = 65_536;

    private record Cached(RuleSet set, StreamFacts facts, CandidateIndex index) {}

    private volatile RuleSet rules = RuleSet.EMPTY;
    /** Told of every abandoned regex: the rule's name and the problem. */
    private final BiConsumer<String, String> errors;

    /** A table whose abandoned regexes are only counted. */
    RouteTable() {
        this((rule, problem) -> {});
    }

    /** A table that tells {@code errors} of every abandoned regex (the rule's name, the problem), on any thread. */
    RouteTable(BiConsumer<String, String> errors) {
        this.errors = errors;
    }

    private final ConcurrentHashMap<StreamKey, Cached> cache = new ConcurrentHashMap<>();

    /** The current snapshot. */
    RuleSet rules() {
        return rules;
    }

    /**
     * Installs {@code change} applied to the current snapshot, unless it throws (then nothing changed); returns the
     * snapshot installed. A message routed after this returns uses it (or a later one).
     */
    synchronized RuleSet change(UnaryOperator<RuleSet> change) {
        RuleSet next = change.apply(rules);
        rules = next;
        return next;
    }

    /**
     * The route of a message with {@code headers} (all of them, reserved ones included) on inbound stream {@code
     * key}, or null if no rule matched (or the stream is Tether's own, or no rule is enabled): it goes where it was
     * addressed. Counts each matching rule once.
     */
    Route route(StreamKey key, Map<String, String> headers) {
        RuleSet set = rules;
        if (set.isEmpty()) return null;
        Cached c = cache.get(key);
        if (c == null || c.set != set) c = candidates(key, set, c);
        CompiledRule[] rules = c.index.rules;
        if (rules.length == 0) return null;
        MessageKind kind = c.facts.kindOf(headers);
        if (kind == null) return null;
        long[] matching = c.index.matching(kind, headers);
        if (matching == null) return evaluate(rules, kind, headers, c.facts.copies, set.version, errors);
        List<CompiledRule> copies = null;
        for (int w = 0; w < matching.length; w++) {
            for (long bits = matching[w]; bits != 0; bits &= bits - 1) {
                CompiledRule r = rules[(w << 6) + Long.numberOfTrailingZeros(bits)];
                if (r.rule.action().isTerminal()) return decided(copies, r, set.version);
                copies = copied(copies, r);
            }
        }
        return copies == null ? null : new Route(copies, null, set.version);
    }

    /**
     * The route decided rule by rule, every predicate of each candidate checked in turn: for a message one of whose
     * values made a regex spend its budget, so the rules' errors are counted as each evaluation meets them.
     */
    private static Route evaluate(
            CompiledRule[] rules,
            MessageKind kind,
            Map<String, String> headers,
            boolean channelCopies,
            long version,
            BiConsumer<String, String> errors) {
        String handler = headers.get(StreamFacts.HANDLER); // once per message, not per rule
        String from = headers.get(EndpointLanes.FROM);
        List<CompiledRule> copies = null;
        for (CompiledRule r : rules) {
            if (!r.admitsMessage(kind, handler, from, headers, channelCopies, errors)) continue;
            if (r.rule.action().isTerminal()) return decided(copies, r, version);
            copies = copied(copies, r);
        }
        return copies == null ? null : new Route(copies, null, version);
    }

    private static Route decided(List<CompiledRule> copies, CompiledRule terminal, long version) {
        terminal.counters.matched.increment();
        return new Route(copies == null ? List.of() : copies, terminal, version);
    }

    /** {@code copies} with copy rule {@code r} added (counted) unless a rule before it copies to the same place. */
    private static List<CompiledRule> copied(List<CompiledRule> copies, CompiledRule r) {
        if (copies == null) copies = new ArrayList<>(2);
        if (isNewDestination(copies, r)) {
            r.counters.matched.increment();
            copies.add(r);
        }
        return copies;
    }

    private static boolean isNewDestination(List<CompiledRule> copies, CompiledRule r) {
        for (CompiledRule c : copies) {
            if (c.rule.action().equals(r.rule.action())) return false;
        }
        return true;
    }

    private Cached candidates(StreamKey key, RuleSet set, Cached old) {
        StreamFacts facts = old != null ? old.facts : StreamFacts.of(key);
        CompiledRule[] rules = set.candidates(facts);
        CandidateIndex index = rules.length == 0 ? CandidateIndex.NONE : new CandidateIndex(rules, facts.copies);
        Cached c = new Cached(set, facts, index);
        if (cache.size() >= MAX_CACHED_STREAMS) cache.clear();
        cache.put(key, c);
        return c;
    }

    /** How many streams have cached candidates (for tests). */
    int cachedStreams() {
        return cache.size();
    }
}
