package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether node --print} whose stdout nobody reads (docs/OPERATIONS.md, "Stopping"): once the pipe is full the
 * printing handler blocks holding stdout, and SIGTERM must still end the process within {@code drain-timeout} plus
 * 12 s with the store closed and its lock released.
 */
class UnreadStdoutStopTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int DRAIN_SECONDS = 1;
    /** The documented bound of a stop: drain-timeout plus 12 s. */
    private static final long STOP_BOUND_MILLIS = (DRAIN_SECONDS + 12) * 1000L;
    /** More than a pipe holds (64 KiB): each delivery line is about 80 bytes. */
    private static final int MESSAGES = 2_000;
    /** A pipe this full holds what the handler could write; the next line blocks it. */
    private static final int FULL_PIPE_BYTES = 60_000;

    @TempDir
    Path dir;

    private Process node;

    @AfterEach
    void killLeftover() {
        if (node != null) node.destroyForcibly();
    }

    @Test
    void sigtermEndsTheProcessAndReleasesTheStoreWhileStdoutIsFull() throws Exception {
        Path errLog = dir.resolve("node.err");
        node = CliProcess.printingNode(errLog, dir, DRAIN_SECONDS);
        String ready = firstLine(node.getInputStream()); // the only bytes of stdout this test ever reads
        assertThat(ready).startsWith("ready node=a");

        List<String> send = new ArrayList<>(List.of("send", "--admin", CliProcess.admin(ready), "--to", "a"));
        for (int i = 1; i <= MESSAGES; i++) send.add("message " + i + " padded to fill the pipe sooner .........");
        InProcessCli cli = new InProcessCli();
        assertThat(cli.run(send.toArray(String[]::new))).as(cli.err()).isZero();
        InputStream stdout = node.getInputStream();
        Await.until(DEADLINE, () -> available(stdout) >= FULL_PIPE_BYTES, () -> "stdout holds " + available(stdout));

        long start = System.nanoTime();
        node.toHandle().destroy(); // SIGTERM; Process.destroy would also close our end of the pipe
        boolean exited = node.waitFor(STOP_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String err = Files.readString(errLog);
        assertThat(exited)
                .as("exited within " + STOP_BOUND_MILLIS + " ms of SIGTERM; stderr:\n" + err)
                .isTrue();
        System.out.println("stopped in " + tookMillis + " ms with a full stdout");
        assertThat(node.exitValue()).isZero();
        assertThat(err).contains("stopped node a: ", "(kept in the store for the next start)", "stdout is not read");

        SqliteStore store = new SqliteStore(dir.resolve("tether-a.db")); // StoreInUseException if still locked
        try {
            assertThat(store.open(Durability.FSYNC).epoch()).isNotZero();
        } finally {
            store.close();
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("stdout ended before its first line: " + line);
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
