package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/OPERATIONS.md, "Health, reload and logs": with {@code org.slf4j:slf4j-jdk-platform-logging} on the class
 * path, the library's {@code System.Logger} lines reach SLF4J (here its simple binding, whose line format
 * {@code [thread] WARN logger - message} java.util.logging never writes).
 */
class Slf4jRoutingTest {
    private static final Path JARS = Path.of("target", "slf4j-routing").toAbsolutePath();

    @Test
    void theLibrarysSystemLoggerLinesReachSlf4j() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(JARS)) {
            jars = files.map(Path::toString).sorted().collect(Collectors.toList());
        }
        assertThat(jars).as("copied by the build into " + JARS).hasSize(3);
        String classpath = ChildJvm.currentClasspath() + File.pathSeparator + String.join(File.pathSeparator, jars);
        try (ChildJvm child = ChildJvm.builder(Slf4jRoutingMain.class)
                .name("slf4j-routing")
                .classpath(classpath)
                .logDir(CliProcess.LOGS)
                .start()) {
            assertThat(child.awaitExit(Duration.ofMinutes(2))).isZero();
            assertThat(child.lines()).contains("done");
            assertThat(child.lines())
                    .anyMatch(l -> l.matches("\\[err\\] \\[[^]]+\\] WARN dev\\.tether - tether listener, on"
                            + " PeerConnected\\[peer=b\\] threw \\(1 callback errors so far\\)"));
        }
    }
}
