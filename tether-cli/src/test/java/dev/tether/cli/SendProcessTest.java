package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether send} as people use it: real node processes on loopback TCP with SQLite stores at the default
 * fsync durability, and {@code tether send} processes fed from files. Each test uses a lane of its own.
 */
class SendProcessTest {
    private static final int LINES = 100_000;

    @TempDir
    static Path dir;

    private static ChildJvm a;
    private static ChildJvm b;
    private static String adminA;
    private static int portA;

    @BeforeAll
    static void startNodes() {
        String[] ready = new String[1];
        b = CliProcess.node("send-b", ready, "--id", "b", "--peer", "a", "--store-dir", dir.toString());
        int portB = CliProcess.port(ready[0]);
        a = CliProcess.node(
                "send-a",
                ready,
                "--id",
                "a",
                "--peer",
                "b=127.0.0.1:" + portB + ",c=127.0.0.1:" + CliProcess.freePort(),
                "--store-dir",
                dir.toString(),
                "--admin",
                "127.0.0.1:0");
        adminA = CliProcess.admin(ready[0]);
        portA = CliProcess.port(ready[0]);
    }

    @AfterAll
    static void stopNodes() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private static Path numbers(String name, long count) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, (Iterable<String>) LongStream.rangeClosed(1, count).mapToObj(Long::toString)::iterator);
        return f;
    }

    private static List<String> stdout(ChildJvm c) {
        return c.lines().stream().filter(l -> !l.startsWith("[err] ")).toList();
    }

    private static String stderr(ChildJvm c) {
        return c.lines().stream().filter(l -> l.startsWith("[err] ")).collect(Collectors.joining("\n"));
    }

    @Test
    void aHundredThousandStdinLinesAreStreamedAndAnsweredInOrder() throws IOException {
        Path input = numbers("streamed.txt", LINES);
        ChildJvm send = CliProcess.builder("send-100k", "send", "--admin", adminA, "--to", "b", "--lane", "bulk")
                .stdin(input)
                .start();
        int status = send.awaitExit(CliProcess.TIMEOUT);

        assertThat(status).as(stderr(send)).isZero();
        List<String> out = stdout(send);
        assertThat(out).hasSize(LINES);
        for (int i = 0; i < LINES; i++) {
            if (!out.get(i).equals("b/bulk#" + (i + 1) + " accepted")) {
                throw new AssertionError("line " + (i + 1) + " is '" + out.get(i) + "'");
            }
        }
        assertThat(stderr(send)).isEmpty();
    }

    @Test
    void withJsonEveryMessageIsAJsonObjectOnStdoutAndNothingIsMixedIntoStderr() {
        ChildJvm send = CliProcess.start(
                "send-json", "send", "--admin", adminA, "--to", "b", "--lane", "json", "--json", "one", "two");
        assertThat(send.awaitExit(CliProcess.TIMEOUT)).isZero();
        assertThat(stdout(send))
                .containsExactly(
                        "{\"message\":1,\"result\":\"ok\",\"to\":\"b\",\"lane\":\"json\",\"seq\":1,\"outcome\":\"ACCEPTED\"}",
                        "{\"message\":2,\"result\":\"ok\",\"to\":\"b\",\"lane\":\"json\",\"seq\":2,\"outcome\":\"ACCEPTED\"}");

        ChildJvm refused =
                CliProcess.start("send-json-refused", "send", "--admin", adminA, "--to", "zed", "--json", "x");
        assertThat(refused.awaitExit(CliProcess.TIMEOUT))
                .as("refused: a failure, nothing in doubt")
                .isEqualTo(1);
        assertThat(stdout(refused))
                .singleElement()
                .asString()
                .startsWith("{\"message\":1,\"result\":\"refused\"")
                .contains("unknown peer zed");
        assertThat(stderr(refused)).isEmpty();

        ChildJvm nobody = CliProcess.start(
                "send-json-nobody",
                "send",
                "--admin",
                "127.0.0.1:" + CliProcess.freePort(),
                "--to",
                "b",
                "--json",
                "x");
        assertThat(nobody.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
        assertThat(stdout(nobody)).isEmpty();
        assertThat(stderr(nobody)).contains("cannot reach the node's admin endpoint");
    }

    @Test
    void adminPointedAtAPeerPortSaysWhatItFound() {
        ChildJvm send = CliProcess.start("send-peer-port", "send", "--admin", "127.0.0.1:" + portA, "--to", "b", "x");
        assertThat(send.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
        assertThat(stderr(send))
                .contains("127.0.0.1:" + portA + " is not a Tether admin endpoint")
                .contains("the handshake of a Tether peer port")
                .contains("admin=HOST:PORT");
        assertThat(stdout(send)).isEmpty();
        ChildJvm stats = CliProcess.start("stats-peer-port", "stats", "--admin", "127.0.0.1:" + portA);
        assertThat(stats.awaitExit(CliProcess.TIMEOUT)).isEqualTo(1);
        assertThat(stderr(stats)).contains("is not a Tether admin endpoint");
    }

    @Test
    void storedButNotProcessedInTimeIsInDoubtWithExitCode3() {
        ChildJvm send = CliProcess.start(
                "send-not-processed",
                "send",
                "--admin",
                adminA,
                "--to",
                "c", // configured, never reachable
                "--wait",
                "processed",
                "--timeout-ms",
                "300",
                "waits forever");
        assertThat(send.awaitExit(CliProcess.TIMEOUT)).isEqualTo(3);
        assertThat(stderr(send))
                .contains("message 1 stored as c/default#1, but it was not processed within 300 ms; it stays queued"
                        + " and will be delivered");
    }

    @Test
    void whenTheNodeDiesMidStreamTheUnansweredMessagesAreInDoubtAndTheOutputSaysHowToCheck() throws IOException {
        String[] ready = new String[1];
        Path storeDir = Files.createDirectories(dir.resolve("dying"));
        ChildJvm dying = CliProcess.node(
                "send-dying",
                ready,
                "--id",
                "d",
                "--peer",
                "b=127.0.0.1:" + CliProcess.port(firstReady(b)),
                "--store-dir",
                storeDir.toString(),
                "--admin",
                "127.0.0.1:0");
        Path input = numbers("dying.txt", 2_000_000);
        ChildJvm send = CliProcess.builder("send-to-dying", "send", "--admin", CliProcess.admin(ready[0]), "--to", "b")
                .stdin(input)
                .start();
        Await.until(
                CliProcess.TIMEOUT,
                () -> stdout(send).size() >= 1_000,
                () -> "answers: " + send.lines().size());
        dying.kill();

        assertThat(send.awaitExit(CliProcess.TIMEOUT)).as(stderr(send)).isEqualTo(3);
        String err = stderr(send);
        assertThat(err)
                .contains(": outcome unknown: ")
                .contains("they may have been stored, and will then be delivered")
                .contains("tether inspect --store FILE")
                .doesNotContain("header parser", "request timed out");
        List<String> accepted = stdout(send);
        assertThat(accepted).allMatch(l -> l.matches("b/default#\\d+ accepted"));

        // What the output says holds in the store: every message answered accepted is there, and the store holds
        // nothing beyond the messages reported in doubt.
        java.util.regex.Matcher range = java.util.regex.Pattern.compile("messages (\\d+) to (\\d+)\\) is unknown")
                .matcher(err);
        assertThat(range.find()).as(err).isTrue();
        long lastInDoubt = Long.parseLong(range.group(2));
        ChildJvm inspect = CliProcess.start(
                "inspect-dying",
                "inspect",
                "--store",
                storeDir.resolve("tether-d.db").toString(),
                "--json");
        assertThat(inspect.awaitExit(CliProcess.TIMEOUT)).isZero();
        java.util.regex.Matcher last =
                java.util.regex.Pattern.compile("\"lastAssignedSeq\":(\\d+)").matcher(String.join("", stdout(inspect)));
        assertThat(last.find()).as(inspect.lines().toString()).isTrue();
        assertThat(Long.parseLong(last.group(1))).isBetween((long) accepted.size(), lastInDoubt);
    }

    private static String firstReady(ChildJvm node) {
        return node.lines().stream()
                .filter(l -> l.startsWith("ready node="))
                .findFirst()
                .orElseThrow();
    }
}
