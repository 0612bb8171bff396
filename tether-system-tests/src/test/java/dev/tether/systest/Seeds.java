package dev.tether.systest;

import java.security.SecureRandom;

/** The seed of a system test: {@code -Dtether.system.seed=N} replays one; otherwise a random one, printed. */
final class Seeds {
    private Seeds() {}

    static long seed(String test) {
        long seed = Long.getLong("tether.system.seed", new SecureRandom().nextLong());
        System.out.println(test + ": seed " + seed + " (replay with -Dtether.system.seed=" + seed + ")");
        return seed;
    }
}
