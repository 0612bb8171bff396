package dev.tether.internal.bus;

import dev.tether.bus.MessageKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The candidates of one inbound stream under one rule set (the enabled rules whose stream-constant fields can match
 * it, in evaluation order), indexed by their per-message fields (docs/BUS-DESIGN.md, section 2.2): per kind, and per
 * header a rule reads (the handler and the sending endpoint are headers too), the set of candidates whose patterns on
 * it hold, as a bit set. A header value's set is computed once (exact patterns through a map, prefixes and regexes
 * evaluated) and kept, up to {@link #MAX_VALUES} values per header; a message's matching candidates are then the
 * intersection of a few bit sets, so rules that do not match cost nearly nothing and no regex runs twice on the same
 * value. A value on which a regex was abandoned (its budget spent) is never kept: messages carrying it are evaluated
 * rule by rule, which counts the rule's errors as the plain evaluation does. Immutable but for the value caches;
 * thread-safe.
 */
final class CandidateIndex {
    /** Most values kept per header; beyond it the header's cache starts again (values come and go). */
    static final int MAX_VALUES = 1_024;

    /** Longest value kept: a longer one is evaluated on every message that carries it (bounds the cache's memory). */
    static final int MAX_KEPT_LENGTH = 256;

    static final CandidateIndex NONE = new CandidateIndex(RuleSet.NONE);

    /** The candidates in evaluation order; bit {@code i} of a set stands for {@code rules[i]}. */
    final CompiledRule[] rules;

    private final int words;
    /** Per {@link MessageKind} ordinal, the candidates that act on that kind. */
    private final long[][] byKind;
    /** Every header some candidate reads. */
    private final Field[] fields;

    CandidateIndex(CompiledRule[] rules) {
        this(rules, false);
    }

    /** {@code copies}: the stream is an endpoint's channel lane, whose channel and sender node are per message. */
    CandidateIndex(CompiledRule[] rules, boolean copies) {
        this.rules = rules;
        this.words = (rules.length + 63) >>> 6;
        this.byKind = new long[MessageKind.values().length][words];
        Map<String, Field> f = new LinkedHashMap<>();
        for (int i = 0; i < rules.length; i++) {
            int index = i;
            for (MessageKind k : MessageKind.values()) {
                if ((rules[i].kinds & StreamFacts.bit(k)) != 0) set(byKind[k.ordinal()], i);
            }
            rules[i].messagePatterns(
                    (name, p) ->
                            f.computeIfAbsent(name, n -> new Field(n, words)).add(index, p),
                    copies);
        }
        this.fields = f.values().toArray(new Field[0]);
        for (Field x : fields) x.seal(rules.length);
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }

    /**
     * The candidates a message of kind {@code kind} with {@code headers} matches (bit {@code i}: {@code rules[i]}),
     * or null if a regex was abandoned on one of its values: then the caller evaluates rule by rule.
     */
    long[] matching(MessageKind kind, Map<String, String> headers) {
        long[] m = byKind[kind.ordinal()].clone();
        for (Field f : fields) {
            long[] b = f.holding(headers.get(f.name));
            if (b == null) return null;
            for (int w = 0; w < words; w++) m[w] &= b[w];
        }
        return m;
    }

    /** How many values are kept for header {@code name} (for tests). */
    int keptValues(String name) {
        for (Field f : fields) {
            if (f.name.equals(name)) return f.seen.size();
        }
        return 0;
    }

    /** One header that candidates read: which of them hold for each of its values. */
    private static final class Field {
        /** Marks a value on which a regex was abandoned. */
        private static final long[] ABANDONED = new long[0];

        final String name;
        private final int words;
        /** The candidates with no pattern on this header: they hold whatever its value, and when it is absent. */
        private final long[] unconstrained;
        /** Candidate indexes with patterns here that are not all exact, and those patterns. */
        private final List<Integer> evaluated = new ArrayList<>();

        private final List<CompiledPattern[]> evaluatedPatterns = new ArrayList<>();
        /** Per value, the candidates whose only pattern here is exact and equal to it. */
        private final Map<String, long[]> exact = new HashMap<>();

        private final Map<Integer, List<CompiledPattern>> byRule = new LinkedHashMap<>();
        final ConcurrentHashMap<String, long[]> seen = new ConcurrentHashMap<>();

        Field(String name, int words) {
            this.name = name;
            this.words = words;
            this.unconstrained = new long[words];
        }

        void add(int rule, CompiledPattern p) {
            byRule.computeIfAbsent(rule, r -> new ArrayList<>()).add(p);
        }

        /** Called once every candidate's patterns are added. */
        void seal(int candidates) {
            for (int i = 0; i < candidates; i++) {
                if (!byRule.containsKey(i)) set(unconstrained, i);
            }
            for (Map.Entry<Integer, List<CompiledPattern>> e : byRule.entrySet()) {
                List<CompiledPattern> ps = e.getValue();
                String text = ps.size() == 1 ? ps.get(0).exactText() : null;
                if (text != null) {
                    set(exact.computeIfAbsent(text, t -> new long[words]), e.getKey());
                } else {
                    evaluated.add(e.getKey());
                    evaluatedPatterns.add(ps.toArray(new CompiledPattern[0]));
                }
            }
        }

        /** The candidates that hold for {@code value} (null: the message has no such header), or null if abandoned. */
        long[] holding(String value) {
            if (value == null) return unconstrained; // a pattern never matches an absent value
            long[] b = seen.get(value);
            if (b == null) {
                b = compute(value);
                if (value.length() <= MAX_KEPT_LENGTH) {
                    if (seen.size() >= MAX_VALUES) seen.clear();
                    seen.put(value, b);
                }
            }
            return b == ABANDONED ? null : b;
        }

        private long[] compute(String value) {
            long[] b = unconstrained.clone();
            long[] e = exact.get(value);
            if (e != null) {
                for (int w = 0; w < words; w++) b[w] |= e[w];
            }
            for (int i = 0; i < evaluated.size(); i++) {
                boolean all = true;
                for (CompiledPattern p : evaluatedPatterns.get(i)) {
                    int r = p.match(value);
                    if (r == CompiledPattern.ABANDONED) return ABANDONED;
                    if (r != CompiledPattern.YES) {
                        all = false;
                        break;
                    }
                }
                if (all) set(b, evaluated.get(i));
            }
            return b;
        }
    }
}
