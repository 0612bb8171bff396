package dev.tether.store.sqlite;

import java.util.function.Predicate;

/**
 * Where a crash test kills its child JVM: at start-up ({@code what} "ready", the child's line {@code ready}), or once
 * the counter {@code what} of the child's progress lines ({@code progress accepted=N executed=M}) reaches {@code
 * count}.
 */
record KillPoint(String what, long count) implements Predicate<String> {
    private static final String PROGRESS = "progress ";

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
