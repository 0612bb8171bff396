package dev.tether.store.sqlite;

import java.util.Random;
import java.util.function.Predicate;

/**
 * Where a crash test kills its child JVM: at start-up ({@code what} "ready", the child's line {@code ready}), or once
 * the counter {@code what} of the child's progress lines ({@code progress accepted=N executed=M}) reaches {@code
 * count}.
 */
record KillPoint(String what, long count) implements Predicate<String> {
    private static final String PROGRESS = "progress ";

    /**
     * A seeded draw: at start-up one time in ten, after 1 to {@code acceptedBound - 1} accepted sends four in ten,
     * else after 1 to {@code executedBound - 1} handler calls.
     */
    static KillPoint draw(Random random, int acceptedBound, int executedBound) {
        int r = random.nextInt(10);
        if (r == 0) return new KillPoint("ready", 0);
        return r < 5
                ? new KillPoint("accepted", 1 + random.nextInt(acceptedBound - 1))
                : new KillPoint("executed", 1 + random.nextInt(executedBound - 1));
    }

    @Override
    public boolean test(String line) {
        if (what.equals("ready")) return line.equals("ready");
        if (!line.startsWith(PROGRESS)) return false;
        for (String field : line.substring(PROGRESS.length()).split(" ")) {
            if (field.startsWith(what + "=")) return Long.parseLong(field.substring(what.length() + 1)) >= count;
        }
        return false;
    }

    @Override
    public String toString() {
        return what.equals("ready") ? "at start-up" : "after " + count + " " + what;
    }
}
