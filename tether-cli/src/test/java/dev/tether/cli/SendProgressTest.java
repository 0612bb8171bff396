package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether send} on a terminal: run inside tmux, with stdin from a file, stdout to a file and stderr on the
 * pseudo-terminal, as {@code seq 100000 | tether send ... > results} would. The screen must show a progress
 * line that counts up while the messages stream, and the results file must stay clean.
 */
class SendProgressTest {
    private static final Pattern PROGRESS = Pattern.compile("tether send: ([\\d,]+) sent, ([\\d,]+) answered");
    private static final int LINES = 100_000;

    @TempDir
    Path dir;

    private final Tmux tmux = new Tmux();
    private final List<ChildJvm> nodes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        tmux.close();
        nodes.forEach(ChildJvm::close);
    }

    @Test
    void aLongInputShowsProgressOnTheTerminalAndKeepsTheResultsFileClean() throws Exception {
        String[] ready = new String[1];
        nodes.add(CliProcess.node("progress-b", ready, "--id", "b", "--peer", "a", "--store-dir", dir.toString()));
        int portB = CliProcess.port(ready[0]);
        nodes.add(CliProcess.node(
                "progress-a",
                ready,
                "--id",
                "a",
                "--peer",
                "b=127.0.0.1:" + portB,
                "--store-dir",
                dir.toString(),
                "--admin",
                "127.0.0.1:0"));
        Path input = dir.resolve("in.txt");
        Files.write(input, (Iterable<String>) LongStream.rangeClosed(1, LINES).mapToObj(Long::toString)::iterator);
        Path results = dir.resolve("results.txt");
        Path exit = dir.resolve("exit.txt");
        List<String> send = CliProcess.builder(
                        "progress-send", "send", "--admin", CliProcess.admin(ready[0]), "--to", "b")
                .command();
        Path script = dir.resolve("send.sh");
        Files.writeString(
                script,
                Tmux.quote(send) + " < " + input + " > " + results + "; echo exit=$? > " + exit + "; sleep 600\n");
        tmux.newSession("send", 160, 20, "sh " + script);

        long[] lowestPartial = {Long.MAX_VALUE};
        long[] lastCapture = {0};
        Await.until(
                CliProcess.TIMEOUT,
                () -> {
                    if (System.nanoTime() - lastCapture[0] < 50_000_000) return false;
                    lastCapture[0] = System.nanoTime();
                    String screen = capture();
                    Matcher m = PROGRESS.matcher(screen);
                    while (m.find()) {
                        long answered = Long.parseLong(m.group(2).replace(",", ""));
                        if (answered < LINES) lowestPartial[0] = Math.min(lowestPartial[0], answered);
                    }
                    return Files.exists(exit);
                },
                () -> "the send to end; screen:\n" + capture());

        assertThat(Files.readString(exit).strip()).isEqualTo("exit=0");
        assertThat(lowestPartial[0])
                .as("a progress line was seen while the messages streamed")
                .isLessThan(LINES);
        assertThat(capture())
                .contains("tether send: 100,000 sent, 100,000 answered (100,000 done, 0 failed, 0 in doubt)");
        List<String> lines = Files.readAllLines(results);
        assertThat(lines).hasSize(LINES).allMatch(l -> l.matches("b/default#\\d+ accepted"));
        assertThat(lines.get(LINES - 1)).isEqualTo("b/default#" + LINES + " accepted");
    }

    private String capture() {
        return tmux.screen("send", 0);
    }
}
