/**
 * Tests with real processes: {@link dev.tether.testkit.process.ChildJvm} starts a Java program in a child JVM
 * (same {@code java}, same class path), captures its output and kills it with SIGKILL;
 * {@link dev.tether.testkit.process.HistoryLog} is the append-only, kill-proof history such a program writes
 * about what its nodes sent, stored, processed and acknowledged; {@link dev.tether.testkit.process.HistoryLogReader}
 * turns the logs of all its runs into one history for {@link dev.tether.testkit.sim.HistoryChecker}, the checker
 * the deterministic simulation uses. See docs/CRASH-TESTS.md for the tests built on them.
 */
package dev.tether.testkit.process;
