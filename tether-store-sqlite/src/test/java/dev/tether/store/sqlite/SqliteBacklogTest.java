package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A backlog on disk in a small heap (issue 3 item 4), with real processes: {@link BacklogWorkload} in a child JVM
 * with {@code -Xmx64m} sends {@code -Dtether.backlog.messages} (default 1,000,000) 100-byte messages from a to
 * an offline b (SQLite, FSYNC); b then appears in the same process and starts receiving; the child is killed with
 * SIGKILL after b's first {@value BacklogWorkload#DELIVERIES_BEFORE_KILL} deliveries, and a new child restarts
 * both nodes from their files and receives the rest. The test asserts that nothing ran out of memory, that the
 * first child really died of SIGKILL, and that b saw every message exactly in order (its handler checks each
 * sequence number and payload; after the restart it must continue at its stored cursor + 1). It prints the send
 * rate, heap peaks, time to the first delivery after b appears and after the restart, and the drain rate; it
 * asserts no timings.
 */
class SqliteBacklogTest {
    private final long messages = Long.getLong("tether.backlog.messages", 1_000_000L);

    @Test
    void millionMessageBacklogOnDiskInA64MiBHeapSurvivesSigkillAndDrainsInOrder() throws IOException {
        Path dir = freshDir();
        System.out.println("backlog test: " + messages + " messages (-Dtether.backlog.messages=N), files in " + dir);

        try (ChildJvm fill = child(dir, "FILL")) {
            fill.awaitLine("kill me"::equals, Duration.ofMinutes(5));
            assertThat(fill.kill()).as("exit status of the SIGKILLed child").isEqualTo(ChildJvm.SIGKILL_EXIT);
            List<String> results = results(fill);
            results.forEach(l -> System.out.println("backlog test (fill child): " + l));
            assertThat(results).anyMatch(l -> l.startsWith("result b-appears") && l.endsWith("orderError=null"));
        }

        try (ChildJvm restart = child(dir, "RESTART")) {
            int status = restart.awaitExit(Duration.ofMinutes(5));
            List<String> results = results(restart);
            results.forEach(l -> System.out.println("backlog test (restarted child): " + l));
            assertThat(status)
                    .as("restarted child: exit 0 means b received cursor+1 .. %d in order (%s)", messages, results)
                    .isZero();
            assertThat(results)
                    .anyMatch(l -> l.contains(" lastSeq=" + messages + " ") && l.endsWith("orderError=null"));
        }
    }

    private static List<String> results(ChildJvm child) {
        List<String> lines = child.lines();
        assertThat(lines).as("the child ran out of memory").noneMatch(l -> l.contains("OutOfMemoryError"));
        return lines.stream().filter(l -> l.startsWith("result")).toList();
    }

    private ChildJvm child(Path dir, String phase) {
        return ChildJvm.builder(BacklogWorkload.class)
                .name("backlog-" + phase.toLowerCase())
                .heap("64m")
                .jvmOptions("-XX:+ExitOnOutOfMemoryError")
                .args(dir.toString(), phase, Long.toString(messages))
                .start();
    }

    private static Path freshDir() throws IOException {
        Path dir = Path.of("target", "backlog-test").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(dir);
        return dir;
    }
}
