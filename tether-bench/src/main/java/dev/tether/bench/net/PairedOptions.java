package dev.tether.bench.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The options of a paired run ({@code NetworkBench --paired A,B}): the two sides, each a scenario id with optional
 * settings of its own, and the options both share. A side is written {@code id[:option=value]...}, e.g. {@code
 * tcp-memory:lanes=10000}; an option there is any of {@link BenchOptions#parse}'s without its dashes, and overrides
 * the shared one for that side only (a value may hold colons: {@code tcp-roundtrip:child-jvm-arg=-XX:+UseZGC}). {@code --repeat N} is the number of pairs. Immutable; parse with {@link
 * #parse}.
 *
 * @param a the first side
 * @param b the second side
 * @param shared the command line without {@code --paired} and its value
 */
record PairedOptions(Side a, Side b, List<String> shared) {
    /** The start of a side's setting: an option's name and its equals sign. */
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z-]*=");

    /** Options that a side cannot set apart: they select scenarios, count the pairs or name shared files. */
    private static final Set<String> SHARED_ONLY = Set.of("only", "paired", "repeat", "rounds", "summary", "quick");

    /**
     * One side of a pair.
     *
     * @param spec as written, e.g. {@code tcp-memory:lanes=10000}: the side's label in the output
     * @param scenario the scenario id
     * @param args the command line its {@link BenchOptions} are parsed from: the shared options, the side's own,
     *     then {@code --only scenario}
     */
    record Side(String spec, String scenario, List<String> args) {
        Side {
            args = List.copyOf(args);
        }

        BenchOptions options() {
            return BenchOptions.parse(args.toArray(String[]::new));
        }
    }

    PairedOptions {
        shared = List.copyOf(shared);
    }

    /** True if the command line asks for a paired run. */
    static boolean requested(String... args) {
        return List.of(args).contains("--paired");
    }

    /**
     * Parses a command line with {@code --paired A,B}.
     *
     * @throws IllegalArgumentException naming what is wrong (no two sides, {@code --only} or {@code --summary}
     *     beside {@code --paired}, a side option that is unknown or shared only, a bad value)
     */
    static PairedOptions parse(String... args) {
        List<String> shared = new ArrayList<>();
        String paired = null;
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--paired")) {
                shared.add(args[i]);
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after --paired");
            paired = args[++i];
        }
        if (paired == null) throw new IllegalArgumentException("no --paired A,B");
        if (shared.contains("--only") || shared.contains("--summary")) {
            throw new IllegalArgumentException(
                    "--paired names its two scenarios itself; it takes no --only or" + " --summary");
        }
        String[] sides = paired.split(",", -1);
        if (sides.length != 2) {
            throw new IllegalArgumentException("--paired needs two scenarios, A,B; got '" + paired + "'");
        }
        PairedOptions p = new PairedOptions(side(sides[0], shared), side(sides[1], shared), shared);
        p.a.options(); // throws for a bad option, value or scenario
        p.b.options();
        return p;
    }

    private static Side side(String spec, List<String> shared) {
        List<String> settings = settings(spec);
        List<String> args = new ArrayList<>(shared);
        for (String setting : settings.subList(1, settings.size())) {
            int eq = setting.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("a side's setting is option=value: '" + setting + "'");
            String option = setting.substring(0, eq);
            if (SHARED_ONLY.contains(option)) {
                throw new IllegalArgumentException(option + " is the same for both sides; set it outside --paired");
            }
            args.add("--" + option);
            args.add(setting.substring(eq + 1));
        }
        args.add("--only");
        args.add(settings.get(0));
        return new Side(spec, settings.get(0), args);
    }

    /**
     * The scenario id, then the settings of {@code spec}, split at each colon that starts a new {@code
     * option=value} (an option is lower case with dashes): a value keeps its own colons, as in {@code
     * child-jvm-arg=-XX:+UseZGC}.
     */
    private static List<String> settings(String spec) {
        List<String> out = new ArrayList<>();
        for (String piece : spec.split(":", -1)) {
            if (out.size() > 1 && !OPTION.matcher(piece).lookingAt()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + ":" + piece);
            } else {
                out.add(piece);
            }
        }
        return out;
    }
}
