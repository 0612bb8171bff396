package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link BusHeldBench} at a moderate size on both paths, as {@code scripts/bench bus-held} does: in a child JVM
 * of its own. Every message reaches its receiving half (the measurement waits for it), and what an outstanding message
 * keeps live is bounded loosely above the figures measured (2.03 objects locally, 4.03 between two nodes; 3.03 and 9.03
 * before a waiting loopback message held no object of its own and received headers were shared: those fail it).
 *
 * <p>Why a child JVM: the two class histograms count every live object of the JVM, and the test's own JVM holds caches
 * the collector may free between them, which then count against the messages. Under the JUnit launcher of {@code
 * scripts/repeat-test --fast} (which compiles its runner from source) about 22,000 softly reachable zip index entries
 * of the class path's jars were gone by the second histogram: -0.24 objects per message. The child runs the bench's
 * {@code main} and nothing else, with {@code -XX:SoftRefLRUPolicyMSPerMB=0}: every collection (each histogram starts
 * with one) clears what is only softly reachable, so no cache is counted in one histogram and not in the other.
 */
class BusHeldBenchSmokeTest {
    private static final int MESSAGES = 30_000;
    private static final long DEADLINE_SECONDS = 300;
    private static final Pattern ALL = Pattern.compile("\\| \\*\\*all classes\\*\\* \\| \\*\\*(-?[0-9.]+)\\*\\* \\|");

    @Test
    void aWaitingMessageKeepsFewObjectsLive() throws Exception {
        assertThat(objectsPerMessage("local")).as("local").isBetween(1.5, 2.6);
        assertThat(objectsPerMessage("remote")).as("remote").isBetween(3.5, 6.0);
    }

    /** The live objects per outstanding message that {@code BusHeldBench --path path} prints, all classes. */
    private static double objectsPerMessage(String path) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(
                        java.toString(),
                        "-XX:SoftRefLRUPolicyMSPerMB=0",
                        "-cp",
                        System.getProperty("java.class.path"),
                        BusHeldBench.class.getName(),
                        "--path",
                        path,
                        "--agents",
                        "30",
                        "--messages",
                        Integer.toString(MESSAGES),
                        "--payload",
                        "100",
                        "--top",
                        "0"))
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        try {
            assertThat(p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS))
                    .as("bus-held %s done within %d s", path, DEADLINE_SECONDS)
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = output.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertThat(p.exitValue())
                .as("exit status of bus-held %s:%n%s", path, out)
                .isZero();
        Matcher m = ALL.matcher(out);
        assertThat(m.find()).as("an 'all classes' row in:%n%s", out).isTrue();
        System.out.printf("bus-held %s: %s objects per message%n", path, m.group(1));
        return Double.parseDouble(m.group(1));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
