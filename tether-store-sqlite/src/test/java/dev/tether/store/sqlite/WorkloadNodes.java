package dev.tether.store.sqlite;

import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.Periodic;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** What the crash tests' child workloads share: their progress lines and their drain run's end. */
final class WorkloadNodes {
    private WorkloadNodes() {}

    /** Prints {@code progress accepted=N executed=M} every 10 ms, the lines {@link KillPoint} reads. */
    static void printProgress(AtomicLong accepted, AtomicLong executed) {
        Periodic.every(
                Duration.ofMillis(10),
                "progress",
                () -> System.out.println("progress accepted=" + accepted.get() + " executed=" + executed.get()));
    }

    /**
     * Waits until no node has anything queued or in flight, shuts them down and returns 0; 2 (after printing each
     * node's stats) if they did not drain within 2 minutes.
     */
    static int drain(AtomicLong executed, TetherNode... nodes) {
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> {
                        for (TetherNode n : nodes) {
                            if (n.stats().queued() != 0 || n.stats().inFlight() != 0) return false;
                        }
                        return true;
                    },
                    () -> "drained");
        } catch (AssertionError e) {
            for (TetherNode n : nodes) System.out.println("stuck: " + n.stats());
            return 2;
        }
        for (TetherNode n : nodes) n.shutdown(Duration.ofSeconds(5));
        System.out.println("drained executed=" + executed.get());
        return 0;
    }
}
