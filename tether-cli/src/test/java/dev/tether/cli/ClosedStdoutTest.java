package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * {@code tether node --print | head -3} (the printer of {@code tether listen}): once the reader of stdout went away, a delivery whose line cannot be written is
 * not acknowledged (it stays in the store and the next start prints it), and the listener stops by itself instead of
 * acknowledging everything it can no longer print.
 */
class ClosedStdoutTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int BEFORE = 3;
    private static final int AFTER = 5;

    @TempDir
    Path dir;

    private Process first;
    private ChildJvm second;

    @AfterEach
    void killLeftovers() {
        if (first != null) first.destroyForcibly();
        if (second != null) second.close();
    }

    @Test
    void deliveriesThatCannotBePrintedStayInTheStoreAndTheListenerStops() throws Exception {
        Path errLog = dir.resolve("first.err");
        first = CliProcess.printingNode(errLog, dir, 1);
        BufferedReader stdout =
                new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
        String ready = stdout.readLine();
        assertThat(ready).startsWith("ready node=a");
        String admin = CliProcess.admin(ready);

        send(admin, "before", BEFORE);
        for (int i = 1; i <= BEFORE; i++) assertThat(stdout.readLine()).endsWith(": before " + i);
        stdout.close(); // the reader goes away, as head does after its lines
        send(admin, "after", AFTER);

        boolean exited = first.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        String err = Files.readString(errLog);
        assertThat(exited).as("stopped by itself; stderr:\n" + err).isTrue();
        assertThat(err).contains("stdout is closed", "stopped node a: ");

        second = CliProcess.start("closed-stdout-second", "listen", "--id", "a", "--store-dir", dir.toString());
        for (int i = 1; i <= AFTER; i++) {
            String line = ": after " + i;
            second.awaitLine(l -> l.endsWith(line), DEADLINE);
        }
        assertThat(second.lines()).noneMatch(l -> l.contains(": before "));
    }

    private static void send(String admin, String prefix, int n) {
        List<String> args = new ArrayList<>(List.of("send", "--admin", admin, "--to", "a"));
        for (int i = 1; i <= n; i++) args.add(prefix + " " + i);
        InProcessCli cli = new InProcessCli();
        assertThat(cli.run(args.toArray(String[]::new))).as(cli.err()).isZero();
    }
}
