package dev.tether.bench.storage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The knobs of {@link StorageBench}, parsed from its command line. Every option has a default meant for a
 * 2-core machine; {@code --quick} shrinks the counts for the smoke test. Unknown options and out-of-range
 * values are refused with an {@link IllegalArgumentException} naming the option.
 *
 * @param messages messages per round of the Tether scenarios (store appends, two nodes)
 * @param rounds measured rounds per scenario ({@code --repeat}), after the warm-up rounds of {@link
 *     dev.tether.bench.measure.Steady}'s rule
 * @param maxWarmUp warm-up rounds at most per scenario, the cold round included ({@code --max-warmup})
 * @param threads concurrent sender threads of the store-append scenario (one lane each)
 * @param lanes lanes of the two-node scenarios (one sender thread pipelines over all of them)
 * @param payload payload bytes per message and per peer row
 * @param outstanding most sends not yet accepted (store scenario, shared evenly by the sender threads) or not
 *     yet delivered (two nodes); it bounds the size of a group-commit batch and so trades latency for rate
 * @param peerBatches rows per transaction of the plain sqlite-jdbc peer
 * @param peerRows rows per round of the peer's batched loops
 * @param singleRows rows per round of the peer's one-row-per-commit loop
 * @param scenarios which scenarios run
 * @param markdown file the markdown table is written to (default {@code target/storage-bench.md}, relative to
 *     the working directory; missing directories are created)
 * @param summary file the summary-table rows are appended to ({@code --summary}), or null
 */
public record BenchOptions(
        int messages,
        int rounds,
        int maxWarmUp,
        int threads,
        int lanes,
        int payload,
        int outstanding,
        int[] peerBatches,
        int peerRows,
        int singleRows,
        Set<Scenario> scenarios,
        Path markdown,
        Path summary) {

    /** The scenarios of issue 3, by the letter the issue gives them. */
    public enum Scenario {
        /** (a) one node, its peer away: sends accepted through the runtime's group commit, FSYNC. */
        STORE,
        /** (b) two nodes over the in-memory transport, FSYNC. */
        FSYNC,
        /** (c) two nodes over the in-memory transport, OS_BUFFERED. */
        OS,
        /** (d) a plain sqlite-jdbc insert loop on the same table. */
        PEER,
        /**
         * (e) as (b), with the receiver's transactional handler inserting one application row per message in the
         * transaction that commits its cursor (exactly-once effects).
         */
        EFFECTS,
        /** As (c), with the message history on, metadata only (docs/OPERATIONS.md, "History"). */
        HISTORY,
        /** As (c), with the message history on, keeping whole payloads. */
        HISTORY_PAYLOADS
    }

    public BenchOptions {
        positive("--messages", messages);
        positive("--repeat", rounds);
        positive("--max-warmup", maxWarmUp);
        positive("--threads", threads);
        positive("--lanes", lanes);
        if (payload < 16)
            throw new IllegalArgumentException("--payload must be >= 16 (timestamp and index), was " + payload);
        positive("--outstanding", outstanding);
        if (peerBatches.length == 0) throw new IllegalArgumentException("--peer-batches must name at least one size");
        for (int b : peerBatches) {
            if (b < 2) throw new IllegalArgumentException("--peer-batches must be >= 2 (1 row per commit always runs)");
        }
        positive("--peer-rows", peerRows);
        positive("--single-rows", singleRows);
        if (scenarios.isEmpty()) throw new IllegalArgumentException("--scenarios must name at least one scenario");
        peerBatches = peerBatches.clone();
        scenarios = Set.copyOf(scenarios);
    }

    @Override
    public int[] peerBatches() {
        return peerBatches.clone();
    }

    /**
     * The defaults: 500,000 messages, 5 rounds, 8 sender threads, 4 lanes, 100-byte payloads, 16,384 outstanding
     * (twice the window), peer batches of 100, 1,000 and 10,000 rows
     * (the last about the size of the group-commit batches Tether makes at these settings).
     */
    public static BenchOptions defaults() {
        return new BenchOptions(
                500_000,
                dev.tether.bench.measure.Steady.REPEAT,
                dev.tether.bench.measure.Steady.MAX_WARM_UP,
                8,
                4,
                100,
                16_384,
                new int[] {100, 1000, 10_000},
                500_000,
                2_000,
                EnumSet.allOf(Scenario.class),
                Path.of("target", "storage-bench.md"),
                null);
    }

    /** A few hundred messages per scenario and two rounds: checks that everything runs, measures nothing. */
    public static BenchOptions quick(Path markdown) {
        return new BenchOptions(
                400,
                2,
                2,
                8,
                4,
                100,
                16_384,
                new int[] {100, 1000, 10_000},
                400,
                20,
                EnumSet.allOf(Scenario.class),
                markdown,
                null);
    }

    /** Parses {@code --name value} pairs and {@code --quick} over the defaults (or over quick, if given). */
    public static BenchOptions parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        BenchOptions d = quick ? quick(Path.of("target", "storage-bench.md")) : defaults();
        int messages = d.messages;
        int rounds = d.rounds;
        int maxWarmUp = d.maxWarmUp;
        Path summary = d.summary;
        int threads = d.threads;
        int lanes = d.lanes;
        int payload = d.payload;
        int outstanding = d.outstanding;
        int[] peerBatches = d.peerBatches;
        int peerRows = d.peerRows;
        int singleRows = d.singleRows;
        Set<Scenario> scenarios = d.scenarios;
        Path markdown = d.markdown;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--quick")) continue;
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + name + " needs a value");
            String v = args[++i];
            switch (name) {
                case "--messages" -> messages = integer(name, v);
                case "--rounds", "--repeat" -> rounds = integer(name, v);
                case "--max-warmup" -> maxWarmUp = integer(name, v);
                case "--summary" -> summary = Path.of(v);
                case "--threads" -> threads = integer(name, v);
                case "--lanes" -> lanes = integer(name, v);
                case "--payload" -> payload = integer(name, v);
                case "--outstanding" -> outstanding = integer(name, v);
                case "--peer-batches" ->
                    peerBatches = Arrays.stream(v.split(","))
                            .mapToInt(s -> integer(name, s.trim()))
                            .toArray();
                case "--peer-rows" -> peerRows = integer(name, v);
                case "--single-rows" -> singleRows = integer(name, v);
                case "--scenarios" -> scenarios = scenarios(v);
                case "--out" -> markdown = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + name + "; see " + usage());
            }
        }
        return new BenchOptions(
                messages,
                rounds,
                maxWarmUp,
                threads,
                lanes,
                payload,
                outstanding,
                peerBatches,
                peerRows,
                singleRows,
                scenarios,
                markdown,
                summary);
    }

    static String usage() {
        return "StorageBench [--quick] [--messages N] [--repeat N] [--max-warmup N] [--summary FILE] [--threads N] [--lanes N] [--payload BYTES]"
                + " [--outstanding N] [--peer-batches 100,1000,10000] [--peer-rows N] [--single-rows N]"
                + " [--scenarios store,fsync,os,peer,effects,history,history_payloads] [--out FILE.md]";
    }

    private static Set<Scenario> scenarios(String v) {
        Set<Scenario> s = EnumSet.noneOf(Scenario.class);
        for (String name : v.split(",")) {
            try {
                s.add(Scenario.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--scenarios: unknown scenario '" + name
                                + "' (known: store, fsync, os, peer, effects, history, history_payloads)",
                        e);
            }
        }
        return s;
    }

    private static int integer(String name, String v) {
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'", e);
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) throw new IllegalArgumentException(name + " must be >= 1, was " + v);
    }
}
