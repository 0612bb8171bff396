package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/**
 * Numbers and durations the CLI takes are refused as usage errors (exit 2, the option named) when out of range: a
 * negative {@code --drain-timeout}, {@code --dead-letters} or {@code --ttl-ms} was taken before, and a duration too
 * large for a {@code long} became the largest one silently.
 */
class NumericOptionsTest {
    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();

    @Test
    void aNegativeDrainTimeoutIsAUsageError() {
        cli.assertNodeRefuses(dir, "--drain-timeout must be 0 or more seconds, was -1", "--drain-timeout", "-1");
    }

    @Test
    void handshakeCapsBelowOneAreUsageErrors() {
        cli.assertNodeRefuses(
                dir, "--max-pending-handshakes must be at least 1, was 0", "--max-pending-handshakes", "0");
        cli.assertNodeRefuses(
                dir,
                "--max-pending-handshakes-per-address must be at least 1, was -3",
                "--max-pending-handshakes-per-address",
                "-3");
    }

    @Test
    void thePerAddressHandshakeCapIsForTcpOnly() {
        cli.assertNodeRefuses(
                dir,
                "--max-pending-handshakes-per-address is for TCP; over --uds every client is on this host",
                "--uds",
                dir.resolve("a.sock").toString(),
                "--max-pending-handshakes-per-address",
                "4");
        cli.assertNodeRefuses(
                dir,
                "--max-pending-handshakes is for TCP and --uds; with --nats",
                "--nats",
                "nats://127.0.0.1:1",
                "--max-pending-handshakes",
                "4");
    }

    @Test
    void aDurationThatOverflowsIsAUsageErrorNotTheLargestOne() {
        cli.assertNodeRefuses(
                dir,
                "'99999999999999999999h': too long (at most 106751 days)",
                "--history-max-age",
                "99999999999999999999h");
        Durations d = new Durations();
        assertThatThrownBy(() -> d.convert("2562048h"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("too long");
        assertThatThrownBy(() -> d.convert("PT2562048H"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("too long");
        assertThat(d.convert("2562047h")).isEqualTo(Duration.ofHours(2_562_047));
        assertThat(d.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void negativeCountsOfInspectAndSendAreUsageErrors() {
        assertThat(cli.run("inspect", "--store", dir.resolve("a.db").toString(), "--dead-letters", "-1"))
                .as(cli.err())
                .isEqualTo(2);
        assertThat(cli.err()).contains("--dead-letters must be 0 or more, was -1");
        assertThat(cli.run("send", "--admin", "127.0.0.1:1", "--to", "b", "--ttl-ms", "-5", "x"))
                .as(cli.err())
                .isEqualTo(2);
        assertThat(cli.err()).contains("--ttl-ms must be positive, was -5");
    }
}
