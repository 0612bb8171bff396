package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlite-jdbc's native library is extracted once into the cache directory, by whichever of several processes
 * starting together gets there first, and later processes load it from there without extracting anything.
 */
class SqliteNativeLibraryTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private ChildJvm probe(Path tmp, String cache) {
        return ChildJvm.builder(NativeLibraryProbe.class)
                .jvmOptions("-Djava.io.tmpdir=" + tmp)
                .args(cache)
                .logDir(dir.resolve("logs"))
                .heap("64m")
                .start();
    }

    private static String result(ChildJvm child) {
        assertThat(child.awaitExit(TIMEOUT)).as(child.lines().toString()).isZero();
        return child.lines().stream()
                .filter(l -> l.startsWith("loaded="))
                .findFirst()
                .orElseThrow(() -> new AssertionError(child.lines()));
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void withoutTheCacheSqliteJdbcExtractsIntoTheTempDirectory() throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        assertThat(result(probe(tmp, "--no-cache")))
                .startsWith("loaded=default ")
                .doesNotContain(" extracted=0 ");
    }

    @Test
    void concurrentFirstStartsShareOneExtractionAndLaterStartsExtractNothing() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path tmp = Files.createDirectories(dir.resolve("tmp-" + round));
            Path cache = dir.resolve("cache-" + round); // created by the first process that gets there
            List<ChildJvm> children = new ArrayList<>();
            for (int i = 0; i < 3; i++) children.add(probe(tmp, cache.toString()));
            for (ChildJvm c : children) {
                assertThat(result(c))
                        .startsWith("loaded=" + cache.resolve("tether-sqlite-jdbc-"))
                        .contains(" extracted=0 ");
            }
            assertThat(files(cache)).as("one library, no temporary files left").hasSize(1);
            assertThat(files(tmp)).isEmpty();
        }

        Path cache = dir.resolve("cache-0");
        Path library = files(cache).get(0);
        Object inode = Files.getAttribute(library, "unix:ino");
        FileTime modified = Files.getLastModifiedTime(library);
        assertThat(result(probe(dir.resolve("tmp-0"), cache.toString()))).contains(" extracted=0 ");
        assertThat(Files.getAttribute(library, "unix:ino"))
                .as("not written again")
                .isEqualTo(inode);
        assertThat(Files.getLastModifiedTime(library)).isEqualTo(modified);
    }

    @Test
    void aDamagedCachedLibraryIsReplaced() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        result(probe(tmp, cache.toString()));
        Path library = files(cache).get(0);
        byte[] good = Files.readAllBytes(library);
        byte[] bad = good.clone();
        for (int i = 4096; i < 8192; i++) bad[i] ^= 0x5a;
        Files.write(library, bad);

        assertThat(result(probe(tmp, cache.toString()))).contains(" extracted=0 ");
        assertThat(Files.readAllBytes(library)).isEqualTo(good);
        assertThat(files(cache)).hasSize(1);
    }
}
