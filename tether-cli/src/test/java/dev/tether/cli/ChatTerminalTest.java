package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether chat} the way a person uses it: two chats in tmux, typed into with {@code send-keys} and read from
 * the screen. A line typed on one shows on the other with its sender; the commands answer; bob's JVM is killed with
 * SIGKILL, alice types on, and the restarted bob shows what she typed meanwhile once, in order (screen and
 * transcript).
 */
class ChatTerminalTest {
    private static final Pattern MESSAGE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d #general (\\S+): (.*)");

    @TempDir
    Path dir;

    private final String socket = "tether-chat-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    private final int alicePort = CliProcess.freePort();
    private final int bobPort = CliProcess.freePort();

    @AfterEach
    void stop() throws Exception {
        tmux("kill-server");
    }

    @Test
    void twoPeopleChatAndWhatIsTypedWhileOneIsKilledReachesItOnceInOrder() throws Exception {
        chat("bob", "bob", bobPort, "alice=127.0.0.1:" + alicePort);
        chat("alice", "alice", alicePort, "bob=127.0.0.1:" + bobPort);
        awaitScreen("alice", s -> s.contains("* joined #general as READ_WRITE"), "alice joined");
        awaitScreen("bob", s -> s.contains("* joined #general as READ_WRITE"), "bob joined");

        type("alice", "hello bob");
        awaitScreen("bob", s -> messages(s).contains("alice: hello bob"), "alice's line on bob's screen");
        type("bob", "hi alice");
        awaitScreen("alice", s -> messages(s).contains("bob: hi alice"), "bob's line on alice's screen");

        type("bob", "/nodes");
        awaitScreen("bob", s -> s.matches("(?s).*\\balice\\s+connected\\b.*"), "/nodes lists alice connected");
        type("bob", "/stats");
        awaitScreen("bob", s -> s.contains("delivered"), "/stats answers");
        type("bob", "/nosuch");
        awaitScreen("bob", s -> s.contains("unknown command /nosuch (/help lists them)"), "an unknown command named");

        long panePid = Long.parseLong(
                tmux("display-message", "-p", "-t", "bob", "#{pane_pid}").strip());
        // The pane runs a shell whose child is the script's shell, which exec'd the JVM.
        ProcessHandle bobJvm = ProcessHandle.of(panePid)
                .orElseThrow()
                .children()
                .findFirst()
                .orElseThrow(() -> new AssertionError("no process under bob's pane " + panePid));
        assertThat(bobJvm.info().command().orElse("")).endsWith("java");
        bobJvm.destroyForcibly(); // SIGKILL on Linux
        Await.until(CliProcess.TIMEOUT, () -> !bobJvm.isAlive(), () -> "bob's JVM to die");

        for (int i = 1; i <= 3; i++) type("alice", "while away " + i);
        awaitScreen("alice", s -> messages(s).contains("alice: while away 3"), "alice's lines stored");

        chat("bob2", "bob", bobPort, "alice=127.0.0.1:" + alicePort);
        awaitScreen(
                "bob2",
                s -> messages(s)
                        .containsAll(List.of("alice: while away 1", "alice: while away 2", "alice: while away 3")),
                "what alice typed while bob was away, on the restarted bob");
        List<String> seen = messages(screen("bob2"));
        assertThat(seen.subList(seen.indexOf("alice: while away 1"), seen.size()))
                .as("once, in order, after the two lines shown from the transcript")
                .containsExactly("alice: while away 1", "alice: while away 2", "alice: while away 3");
        assertThat(seen).startsWith("alice: hello bob", "bob: hi alice");
        List<String> transcript = Files.readAllLines(dir.resolve("tether-bob.db.chat")).stream()
                .map(l -> l.split("\t", 5))
                .map(f -> f[1] + ": " + f[4])
                .toList();
        assertThat(transcript)
                .containsExactly(
                        "alice: hello bob",
                        "bob: hi alice",
                        "alice: while away 1",
                        "alice: while away 2",
                        "alice: while away 3");

        type("alice", "/quit");
        awaitScreen("alice", s -> s.contains("bye") && s.contains("[alice exited]"), "alice to quit");
    }

    /** Starts {@code tether chat} as node {@code id} in tmux session {@code session}. */
    private void chat(String session, String id, int port, String peer) throws Exception {
        List<String> cmd = CliProcess.builder(
                        "chat-" + session,
                        "chat",
                        "--id",
                        id,
                        "--listen",
                        "127.0.0.1:" + port,
                        "--peer",
                        peer,
                        "--store-dir",
                        dir.toString(),
                        "--durability",
                        "OS_BUFFERED")
                .command();
        Path script = dir.resolve(session + ".sh");
        // exec: the script's process is the JVM itself, so the test can SIGKILL it
        Files.writeString(script, "exec " + quote(cmd) + " 2> " + dir.resolve(session + ".err") + "\n");
        tmux(
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                "200",
                "-y",
                "50",
                "sh " + script + "; echo '[" + id + " exited]'; sleep 600");
        awaitScreen(session, s -> s.contains("ready node=" + id), id + " ready");
    }

    private void type(String session, String line) throws Exception {
        tmux("send-keys", "-t", session, "-l", line);
        tmux("send-keys", "-t", session, "Enter");
    }

    private void awaitScreen(String session, java.util.function.Predicate<String> ok, String what) {
        long[] last = {0};
        Await.until(
                CliProcess.TIMEOUT,
                () -> {
                    if (System.nanoTime() - last[0] < 50_000_000) return false;
                    last[0] = System.nanoTime();
                    return ok.test(screen(session));
                },
                () -> what + "; screen of " + session + ":\n" + screen(session));
    }

    /** The chat lines on a screen, as {@code sender: text}, top to bottom. */
    private static List<String> messages(String screen) {
        List<String> l = new ArrayList<>();
        for (String line : screen.split("\n")) {
            Matcher m = MESSAGE.matcher(line.strip());
            if (m.matches()) l.add(m.group(1) + ": " + m.group(2));
        }
        return l;
    }

    private String screen(String session) {
        try {
            return tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", session);
        } catch (IOException e) {
            return "(capture failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String quote(List<String> command) {
        StringBuilder s = new StringBuilder();
        for (String arg : command)
            s.append('\'').append(arg.replace("'", "'\\''")).append("' ");
        return s.toString();
    }
}
