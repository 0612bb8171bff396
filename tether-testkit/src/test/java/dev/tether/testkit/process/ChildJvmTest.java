package dev.tether.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path logs;

    @Test
    void killSendsSigkillAndTheExitStatusProvesIt() throws IOException {
        try (ChildJvm child = ChildJvm.builder(ChildMain.class)
                .args("park")
                .heap("48m")
                .jvmOptions("-Dchild.prop=42")
                .logDir(logs)
                .start()) {
            String ready = child.awaitLine(l -> l.startsWith("ready"), TIMEOUT);
            assertThat(ready).endsWith("prop=42");
            long maxHeap = Long.parseLong(ready.replaceAll(".*maxHeap=(\\d+).*", "$1"));
            assertThat(maxHeap).isLessThanOrEqualTo(48L << 20);
            assertThat(child.isAlive()).isTrue();

            assertThat(child.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
            assertThat(child.isAlive()).isFalse();
            assertThat(Files.readAllLines(child.logFile())).contains(ready);
        }
    }

    @Test
    void capturesStdoutAndStderrAndReportsTheExitStatus() {
        try (ChildJvm child = ChildJvm.builder(ChildMain.class.getName())
                .args("exit", "7")
                .logDir(logs)
                .start()) {
            assertThat(child.awaitExit(TIMEOUT)).isEqualTo(7);
            assertThat(child.lines()).contains("out line", "[err] err line");
        }
    }

    @Test
    void awaitLineFailsWithTheOutputWhenTheChildExitsFirst() {
        try (ChildJvm child =
                ChildJvm.builder(ChildMain.class).args("exit", "3").logDir(logs).start()) {
            assertThatThrownBy(() -> child.awaitLine("never"::equals, TIMEOUT))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with status 3")
                    .hasMessageContaining("err line");
        }
    }

    @Test
    void awaitLineTimesOutNamingTheChild() {
        try (ChildJvm child =
                ChildJvm.builder(ChildMain.class).args("park").logDir(logs).start()) {
            child.awaitLine(l -> l.startsWith("ready"), TIMEOUT);
            assertThatThrownBy(() -> child.awaitLine("never"::equals, Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("timed out")
                    .hasMessageContaining("pid " + child.pid());
        }
    }

    @Test
    void closeKillsARunningChild() {
        ChildJvm child =
                ChildJvm.builder(ChildMain.class).args("park").logDir(logs).start();
        child.awaitLine(l -> l.startsWith("ready"), TIMEOUT);
        ProcessHandle handle = ProcessHandle.of(child.pid()).orElseThrow();

        child.close();

        assertThat(handle.isAlive()).isFalse();
        child.close(); // idempotent
    }

    @Test
    void commandUsesTheRunningJavaAndTheGivenSettings() {
        var cmd = ChildJvm.builder("x.Main")
                .heap("64m")
                .jvmOptions("-Da=b")
                .classpath("cp")
                .args("1", "2")
                .command();
        assertThat(cmd.get(0)).endsWith("java");
        assertThat(cmd.subList(1, cmd.size())).containsExactly("-Xmx64m", "-Da=b", "-cp", "cp", "x.Main", "1", "2");
        assertThatThrownBy(() -> ChildJvm.builder("x.Main").heap("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}
