package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether call}, {@code tether request} and {@code tether handlers} as people use them: real processes, a
 * {@code tether node} with an admin endpoint calling a node with handlers in another process over loopback TCP, and
 * each outcome's output and exit code.
 */
class CallProcessTest {
    @TempDir
    Path dir;

    private final List<ChildJvm> nodes = new ArrayList<>();
    private String admin;

    @BeforeEach
    void startNodes() {
        ChildJvm b = ChildJvm.builder(HandlerNodeMain.class)
                .name("call-b")
                .heap("256m")
                .logDir(CliProcess.LOGS)
                .start();
        nodes.add(b);
        String port = b.awaitLine(l -> l.startsWith("ready port="), CliProcess.TIMEOUT)
                .substring("ready port=".length());
        String[] ready = new String[1];
        nodes.add(CliProcess.node(
                "call-a",
                ready,
                "--id",
                "a",
                "--listen",
                "127.0.0.1:0",
                "--peer",
                "b=127.0.0.1:" + port,
                "--store-dir",
                dir.toString(),
                "--admin",
                "127.0.0.1:0"));
        admin = CliProcess.admin(ready[0]);
    }

    @AfterEach
    void stop() {
        nodes.forEach(ChildJvm::close);
    }

    /** Runs {@code tether <args>} to its end; returns its exit code, its output in {@code out[0]}. */
    private static int run(String[] out, String... args) {
        ChildJvm c = CliProcess.start("call-cli", args);
        int code = c.awaitExit(CliProcess.TIMEOUT);
        out[0] = String.join("\n", c.lines());
        return code;
    }

    @Test
    void handlersListsThePeersHandlersAskedOfThePeer() {
        String[] out = new String[1];
        assertThat(run(out, "handlers", "--admin", admin, "b")).as(out[0]).isZero();
        assertThat(out[0]).isEqualTo("echo\nfail\nslow");
        assertThat(run(out, "handlers", "--admin", admin, "b", "--json"))
                .as(out[0])
                .isZero();
        assertThat(out[0]).isEqualTo("{\"node\":\"a\",\"peer\":\"b\",\"handlers\":[\"echo\",\"fail\",\"slow\"]}");
        // what b advertised when it connected, as tether peers shows it
        Await.until(
                CliProcess.TIMEOUT,
                () -> run(out, "peers", "--admin", admin, "--json") == 0
                        && out[0].contains("\"handlers\":[\"echo\",\"fail\",\"slow\"]"),
                () -> "b's advertised handlers at a: " + out[0]);
        assertThat(run(out, "handlers", "--admin", admin, "zz")).isEqualTo(ExitCode.FAILURE);
        assertThat(out[0]).startsWith("[err] tether handlers: unknown peer zz");
    }

    @Test
    void requestPrintsTheReplyAndCallPrintsOk() throws IOException {
        String[] out = new String[1];
        assertThat(run(out, "request", "--admin", admin, "b", "echo", "hello", "world"))
                .as(out[0])
                .isZero();
        assertThat(out[0]).isEqualTo("hello world");
        assertThat(run(out, "request", "--admin", admin, "--json", "--header", "trace=t-42", "b", "echo", "hi"))
                .as(out[0])
                .isZero();
        assertThat(out[0])
                .matches("\\{\"from\":\"b\",\"handler\":\"echo\",\"requestId\":\"b/echo#\\d+\",\"headers\":"
                        + "\\{\"trace\":\"t-42\"},\"payload\":\"hi\"}");
        Path stdin = Files.write(dir.resolve("payload.bin"), new byte[] {(byte) 0xff, 0, 1});
        ChildJvm piped = CliProcess.builder("call-stdin", "request", "--admin", admin, "b", "echo")
                .stdin(stdin)
                .start();
        assertThat(piped.awaitExit(CliProcess.TIMEOUT)).as("%s", piped.lines()).isZero();
        assertThat(piped.lines()).containsExactly("base64:/wAB");
        assertThat(run(out, "call", "--admin", admin, "b", "echo", "x"))
                .as(out[0])
                .isZero();
        assertThat(out[0]).isEqualTo("ok");
    }

    @Test
    void eachOutcomeHasItsExitCode() {
        String[] out = new String[1];
        assertThat(run(out, "call", "--admin", admin, "b", "fail", "boom")).isEqualTo(ExitCode.REMOTE_ERROR);
        assertThat(out[0])
                .isEqualTo(
                        "[err] tether call: handler 'fail' on b failed: java.lang.IllegalStateException: refused: boom");
        assertThat(run(out, "request", "--admin", admin, "--json", "b", "fail", "x"))
                .isEqualTo(ExitCode.REMOTE_ERROR);
        assertThat(out[0])
                .contains("\"remoteType\":\"java.lang.IllegalStateException\",\"remoteMessage\":\"refused: x\"");
        assertThat(run(out, "request", "--admin", admin, "b", "missing", "x")).isEqualTo(ExitCode.FAILURE);
        assertThat(out[0])
                .startsWith("[err] tether request: node b has no handler 'missing'")
                .contains("--wait-for-handler")
                .doesNotContain("Call.waitForHandler()");
        assertThat(run(out, "request", "--admin", admin, "--timeout", "500ms", "b", "slow", "x"))
                .isEqualTo(ExitCode.IN_DOUBT);
        assertThat(out[0])
                .startsWith("[err] tether request: call of handler 'slow' on b got no reply by its deadline")
                .endsWith("it may or may not have run");
        assertThat(run(out, "request", "--admin", admin, "zz", "echo", "x")).isEqualTo(ExitCode.FAILURE);
        assertThat(out[0]).startsWith("[err] tether request: unknown peer zz");
        assertThat(run(out, "request", "--admin", admin, "b", "_hello", "x")).isEqualTo(ExitCode.FAILURE);
        assertThat(out[0]).contains("reserved");
    }

    @Test
    void badCommandLinesAreUsageErrorsAndAnUnreachableNodeIsAFailure() {
        String[] out = new String[1];
        assertThat(run(out, "request", "--admin", admin, "b")).isEqualTo(ExitCode.USAGE);
        assertThat(out[0]).contains("Missing required parameter: 'HANDLER'");
        assertThat(run(out, "request", "--admin", admin, "--header", "nosep", "b", "echo", "x"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(out[0]).contains("--header must be NAME=VALUE, was 'nosep'");
        assertThat(run(out, "call", "--admin", admin, "--timeout", "0s", "b", "echo", "x"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(out[0]).contains("must be positive");
        assertThat(run(out, "call", "--admin", "127.0.0.1:" + CliProcess.freePort(), "b", "echo", "x"))
                .isEqualTo(ExitCode.FAILURE);
        assertThat(out[0]).contains("cannot reach the node's admin endpoint");
    }
}
