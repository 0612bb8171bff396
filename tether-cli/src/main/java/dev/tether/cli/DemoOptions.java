package dev.tether.cli;

/** Options of {@code tether demo}; every value is validated with a message naming the option. */
record DemoOptions(int nodes, int messages, long seed, double drop, double duplicate, double reorder, int crashes) {
    static final String HELP = "--nodes N (2-16, default 4) --messages M per stream (default 2000) --seed S"
            + " --drop P --duplicate P --reorder P (0-0.5, defaults 0.05 0.05 0.1) --crashes C (default 2)";

    static DemoOptions parse(String[] args) {
        int nodes = 4, messages = 2000, crashes = 2;
        long seed = System.nanoTime();
        double drop = 0.05, dup = 0.05, reorder = 0.1;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + name + " needs a value");
            String v = args[++i];
            switch (name) {
                case "--nodes" -> nodes = intIn(name, v, 2, 16);
                case "--messages" -> messages = intIn(name, v, 1, 10_000_000);
                case "--crashes" -> crashes = intIn(name, v, 0, 100);
                case "--seed" -> seed = longOf(name, v);
                case "--drop" -> drop = probability(name, v);
                case "--duplicate" -> dup = probability(name, v);
                case "--reorder" -> reorder = probability(name, v);
                default -> throw new IllegalArgumentException("unknown option '" + name + "'; options: " + HELP);
            }
        }
        return new DemoOptions(nodes, messages, seed, drop, dup, reorder, crashes);
    }

    private static int intIn(String name, String v, int min, int max) {
        long n = longOf(name, v);
        if (n < min || n > max)
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + v);
        return (int) n;
    }

    private static long longOf(String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects a whole number, got '" + v + "'");
        }
    }

    private static double probability(String name, String v) {
        double p;
        try {
            p = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects a probability, got '" + v + "'");
        }
        if (!(p >= 0 && p <= 0.5)) throw new IllegalArgumentException(name + " must be in 0..0.5, was " + v);
        return p;
    }
}
