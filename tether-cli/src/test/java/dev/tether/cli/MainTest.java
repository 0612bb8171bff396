package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands, their usage errors, and the in-process simulation. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void simulationWithFaultsAndCrashesPasses() {
        int rc = run("simulate", "--nodes", "3", "--messages", "400", "--seed", "7", "--crashes", "2");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("lost                   : 0", "out of order           : 0", "VERDICT: PASS");
        assertThat(rc).isZero();
    }

    @Test
    void readmeDemoKillsProcessesAndLosesNothing() {
        int rc = run("demo", "--messages", "3000", "--dir", dir.toString(), "--timeout", "240");
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .as(err())
                .contains(
                        "SIGKILL receiver",
                        "SIGKILL sender-1",
                        "(exit code 137)",
                        "lost                      : 0",
                        "duplicated (not flagged)  : 0",
                        "out of order              : 0",
                        "VERDICT: PASS");
        assertThat(rc).isZero();
    }

    @Test
    void badOptionsAreNamedWithExitCode2() {
        assertThat(run("simulate", "--nodes", "1")).isEqualTo(2);
        assertThat(err()).contains("--nodes must be in 2..16, was 1");
        assertThat(run("simulate", "--drop", "x")).isEqualTo(2);
        assertThat(err()).contains("--drop", "'x'");
        assertThat(run("simulate", "--frobnicate", "1")).isEqualTo(2);
        assertThat(err()).contains("'--frobnicate'", "Try 'tether simulate --help'");
        assertThat(run("nope")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'nope'; did you mean 'node'?");
        assertThat(run("xyzzy")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'xyzzy'; the commands are: demo, node, listen, send");
        assertThat(run("node", "--id", "bad id!", "--peer", "b=127.0.0.1:1")).isEqualTo(2);
        assertThat(err()).contains("--id:");
        assertThat(run("node", "--id", "a", "--peer", "b=127.0.0.1:99999")).isEqualTo(2);
        assertThat(err()).contains("port must be in 0..65535");
        assertThat(run("send", "--admin", "127.0.0.1:1", "--to", "a b", "x")).isEqualTo(2);
        assertThat(err()).contains("--to: ");
        assertThat(run("send", "--admin", "127.0.0.1:1", "--to", "b", "--lane", "x y", "x"))
                .isEqualTo(2);
        assertThat(err()).contains("--lane: ");
        assertThat(run("node", "--id", "a", "--peer", "b=127.0.0.1:0")).isEqualTo(2);
        assertThat(err()).contains("a peer's port must be in 1..65535");
        assertThat(run("node", "--id", "a", "--peer", "b=nohostport")).isEqualTo(2);
        assertThat(err()).contains("is not HOST:PORT");
        assertThat(run("node", "--id", "a", "--window", "0")).isEqualTo(2);
        assertThat(err()).contains("window must be in 1..", "Try 'tether node --help'");
        assertThat(run("node", "--id", "a", "--admin", "8.8.8.8:1")).isEqualTo(2);
        assertThat(err()).contains("--admin must be a loopback address");
        assertThat(run("node", "--id", "a", "--peer", "b", "--durability", "SOMETIMES"))
                .isEqualTo(2);
        assertThat(err()).contains("SOMETIMES");
        assertThat(run("node", "--id", "a", "--nats", "nats://host:notaport")).isEqualTo(2);
        assertThat(err()).contains("NATS server URL 'nats://host:notaport' is not valid");
    }

    @Test
    void anUnknownCommandIsAUsageErrorNamingTheClosestCommand() {
        assertThat(run("publish", "--help")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("no help for an unknown command")
                .isEmpty();
        assertThat(err()).contains("tether: unknown command 'publish'", "Try 'tether --help'");
        assertThat(run("sned", "--to", "b", "x")).isEqualTo(2);
        assertThat(err()).contains("tether: unknown command 'sned'; did you mean 'send'?");
        assertThat(run("Stat")).isEqualTo(2);
        assertThat(err()).contains("did you mean 'stats'?");
        assertThat(run("inpsect")).isEqualTo(2);
        assertThat(err()).contains("did you mean 'inspect'?");
    }

    @Test
    void configFileSuppliesDefaultsAndFlagsWin() throws Exception {
        Path conf = dir.resolve("node.properties");
        Files.writeString(conf, "id=a\npeer=b=127.0.0.1:99999\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(err()).contains("port must be in 0..65535");
        assertThat(run("node", "--config", dir.resolve("missing.properties").toString()))
                .isEqualTo(2);
        assertThat(err()).contains("--config: no such file");
    }

    @Test
    void inspectShowsPendingMessagesAndRenewEpochChangesTheEpoch() {
        Path file = dir.resolve("tether-a.db");
        var store = new dev.tether.store.sqlite.SqliteStore(file);
        long epoch = store.open(dev.tether.Durability.FSYNC).epoch();
        store.commit(new dev.tether.spi.WriteBatch()
                .append(new dev.tether.spi.StoredMessage(
                        dev.tether.NodeId.of("b"), "orders", 1, 0, java.util.Map.of(), new byte[100])));
        store.close();

        assertThat(run("inspect", "--store", file.toString(), "--json")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"epoch\":" + epoch, "\"peer\":\"b\",\"lane\":\"orders\",\"pending\":1");
        assertThat(run("renew-epoch", "--store", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("now has epoch");
        out.reset();
        assertThat(run("inspect", "--store", file.toString(), "--json")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\"epoch\":" + epoch + ",");
        assertThat(run("inspect", "--store", dir.resolve("missing.db").toString()))
                .isEqualTo(1);
        assertThat(err()).contains("does not exist");
    }

    @Test
    void helpAndVersionWork() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("node", "listen", "send", "stats", "demo");
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("tether ");
    }
}
