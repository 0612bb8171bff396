package dev.tether.cli;

/** Options of {@code tether demo}; every value is validated with a message naming the option. */
record DemoOptions(int nodes, int messages, long seed, double drop, double duplicate, double reorder, int crashes) {
    /** Checks every value, naming the option of the first bad one. */
    DemoOptions {
        intIn("--nodes", nodes, 2, 16);
        intIn("--messages", messages, 1, 10_000_000);
        intIn("--crashes", crashes, 0, 100);
        probability("--drop", drop);
        probability("--duplicate", duplicate);
        probability("--reorder", reorder);
    }

    private static void intIn(String name, int v, int min, int max) {
        if (v < min || v > max)
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + v);
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 0.5)) throw new IllegalArgumentException(name + " must be in 0..0.5, was " + p);
    }
}
