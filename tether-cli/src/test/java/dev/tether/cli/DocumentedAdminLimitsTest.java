package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoint's limits that README.md ("The admin endpoint") promises are the ones {@code tether node} binds
 * with ({@link AdminServer.Limits#DEFAULT}, used by {@code NodeRunner.bindAdmin}): changing either the constants or
 * the text fails here, as {@code DocumentedTimingsTest} does for the engine's timings. How each limit behaves is
 * {@link AdminLimitsTest}'s.
 */
class DocumentedAdminLimitsTest {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theDefaultLimitsAre32Connections10SecondsForARequest30BetweenLinesAnd30ForAStalledReader() {
        assertThat(AdminServer.Limits.DEFAULT)
                .isEqualTo(new AdminServer.Limits(
                        32, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30)));
    }

    @Test
    void theReadmeStatesTheDefaultLimits() throws IOException {
        String readme = Files.readString(README).replaceAll("\\s+", " ");
        AdminServer.Limits d = AdminServer.Limits.DEFAULT;
        assertThat(readme)
                .contains("serves " + d.maxConnections() + " connections at once")
                .contains("gives a request " + d.requestTimeout().toSeconds() + " s to arrive")
                .contains("a stream " + d.idleTimeout().toSeconds() + " s between lines")
                .contains("stops reading its answers for " + d.writeTimeout().toSeconds() + " s");
    }
}
