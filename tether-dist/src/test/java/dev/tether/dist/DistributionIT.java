package dev.tether.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as an operator gets it: unpacked with {@code tar} into a fresh directory, its launcher
 * run as a real process (from other working directories, through a symbolic link, with and without java on the
 * PATH), and a node started from the sample configuration the way the sample systemd unit starts it.
 */
class DistributionIT {
    static final String VERSION = System.getProperty("tether.dist.version");
    private static final Pattern READY = Pattern.compile("^ready node=a .*admin=(127\\.0\\.0\\.1:\\d+)");

    @TempDir
    static Path unpacked;

    static Path home;

    @TempDir
    Path work;

    @BeforeAll
    static void unpack() throws IOException {
        Path archive = Path.of(System.getProperty("tether.dist.archive"));
        assertThat(archive).isRegularFile();
        Launched tar =
                Launched.run(unpacked, Map.of(), List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString()));
        assertThat(tar.exitStatus()).as(tar.output()).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            // One top-level directory named after the version, as docs/RELEASING.md says.
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("tether-" + VERSION);
        }
        home = unpacked.resolve("tether-" + VERSION);
    }

    @Test
    void layout() throws IOException {
        assertThat(home.resolve("bin/tether")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/tether")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        for (String f : List.of(
                "conf/node.properties",
                "conf/tether.service",
                "INSTALL.md",
                "THIRD-PARTY.txt",
                "README.md",
                "CHANGELOG.md",
                "docs/OPERATIONS.md",
                "docs/RELEASING.md")) {
            assertThat(home.resolve(f)).isRegularFile();
        }
        assertThat(libJars())
                .contains(
                        "tether-cli-" + VERSION + ".jar",
                        "tether-core-" + VERSION + ".jar",
                        "tether-store-sqlite-" + VERSION + ".jar",
                        "tether-transport-tcp-" + VERSION + ".jar",
                        "tether-transport-nats-" + VERSION + ".jar",
                        "tether-codec-jackson-" + VERSION + ".jar",
                        "tether-metrics-micrometer-" + VERSION + ".jar")
                .noneMatch(j -> j.matches("(junit|opentest4j|apiguardian|assertj|byte-buddy).*"));
    }

    @Test
    void thirdPartyNoticeNamesExactlyTheLibrariesInLib() throws IOException {
        Set<String> listed = new TreeSet<>();
        Matcher m =
                Pattern.compile("(?m)^\\s+(\\S+\\.jar)\\b").matcher(Files.readString(home.resolve("THIRD-PARTY.txt")));
        while (m.find()) listed.add(m.group(1));
        Set<String> thirdParty =
                libJars().stream().filter(j -> !j.startsWith("tether-")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("THIRD-PARTY.txt against lib/").isEqualTo(thirdParty);
    }

    @Test
    void helpAndVersionFromAnotherDirectory() {
        Launched help =
                Launched.run(work, Map.of(), List.of(home.resolve("bin/tether").toString(), "--help"));
        assertThat(help.exitStatus()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: tether", "node", "send", "stats", "inspect");

        Launched version =
                Launched.run(work, Map.of(), List.of(home.resolve("bin/tether").toString(), "--version"));
        assertThat(version.exitStatus()).as(version.output()).isZero();
        assertThat(version.lines()).containsExactly("tether " + VERSION);
    }

    @Test
    void runsThroughASymbolicLink() throws IOException {
        Path link = Files.createDirectories(work.resolve("usr/local/bin")).resolve("tether");
        Files.createSymbolicLink(link, home.resolve("bin/tether"));
        Launched version = Launched.run(work, Map.of(), List.of(link.toString(), "--version"));
        assertThat(version.exitStatus()).as(version.output()).isZero();
        assertThat(version.lines()).containsExactly("tether " + VERSION);
    }

    @Test
    void findsJavaThroughJavaHomeAndSaysSoWhenThereIsNone() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", pathWithoutJava().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String launcher = home.resolve("bin/tether").toString();

        Launched withJavaHome = Launched.run(work, env, List.of(launcher, "--version"));
        assertThat(withJavaHome.exitStatus()).as(withJavaHome.output()).isZero();
        assertThat(withJavaHome.lines()).containsExactly("tether " + VERSION);

        env.put("JAVA_HOME", null);
        Launched none = Launched.run(work, env, List.of(launcher, "--version"));
        assertThat(none.exitStatus()).isEqualTo(1);
        assertThat(none.lines())
                .containsExactly("[err] tether: no java on the PATH and JAVA_HOME is not set;"
                        + " install Java 17 or later, or set JAVA_HOME");

        env.put("JAVA_HOME", work.resolve("no-such-jdk").toString());
        Launched wrong = Launched.run(work, env, List.of(launcher, "--version"));
        assertThat(wrong.exitStatus()).isEqualTo(1);
        assertThat(wrong.output()).contains("JAVA_HOME is " + work.resolve("no-such-jdk"), "is not an executable");
    }

    /**
     * {@code TETHER_CDS=on}: the first start makes the class-data-sharing archive (no partial file left) and deletes
     * archives unused for 30 days and partial files a day old, keeping the rest; the next start uses the archive (the
     * JVM's class-load log names it as the source of the CLI's classes) without making it again; neither prints
     * anything but the command's output.
     */
    @Test
    void classDataArchiveIsMadeOnceThenUsed() throws IOException {
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path stale = aged(cache.resolve("tether-1.jsa"), 40);
        Path recent = aged(cache.resolve("tether-2.jsa"), 2);
        Path killedTraining = aged(cache.resolve("tether-3.jsa.77.partial"), 2);
        Path training = aged(cache.resolve("tether-4.jsa.78.partial"), 0);
        Map<String, String> env = new HashMap<>(Map.of("TETHER_CDS", "on", "TETHER_CDS_DIR", cache.toString()));
        List<String> version = List.of(home.resolve("bin/tether").toString(), "--version");

        Launched first = Launched.run(work, env, version);
        assertThat(first.exitStatus()).as(first.output()).isZero();
        assertThat(first.lines()).containsExactly("tether " + VERSION);
        List<Path> archives = filesIn(cache);
        assertThat(archives)
                .doesNotContain(stale, killedTraining)
                .contains(recent, training)
                .hasSize(3);
        archives.removeAll(List.of(recent, training));
        assertThat(archives.get(0).getFileName().toString()).matches("tether-\\d+\\.jsa");
        Object made =
                Files.readAttributes(archives.get(0), BasicFileAttributes.class).fileKey();

        Path classLog = work.resolve("classes.log");
        env.put("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
        Launched second = Launched.run(work, env, version);
        assertThat(second.exitStatus()).as(second.output()).isZero();
        assertThat(second.lines()).containsExactly("tether " + VERSION);
        assertThat(Files.readString(classLog)).contains("dev.tether.cli.Main source: shared objects file");
        assertThat(filesIn(cache)).containsExactlyInAnyOrder(archives.get(0), recent, training);
        assertThat(Files.readAttributes(archives.get(0), BasicFileAttributes.class)
                        .fileKey())
                .as("the same file, not made again")
                .isEqualTo(made);
    }

    /** A file at {@code path} last modified {@code days} days ago. */
    private static Path aged(Path path, int days) throws IOException {
        Files.writeString(path, "x");
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(Duration.ofDays(days))));
        return path;
    }

    @Test
    void classDataArchiveThatCannotBeMadeOnlyCostsAWarning() throws IOException {
        Path notADirectory = Files.writeString(work.resolve("file"), "x");
        List<String> version = List.of(home.resolve("bin/tether").toString(), "--version");
        Launched run = Launched.run(
                work,
                Map.of(
                        "TETHER_CDS",
                        "on",
                        "TETHER_CDS_DIR",
                        notADirectory.resolve("cds").toString()),
                version);
        assertThat(run.exitStatus()).as(run.output()).isZero();
        // stdout and stderr are read by two threads: their lines' relative order is not kept.
        assertThat(run.lines())
                .containsExactlyInAnyOrder(
                        "[err] tether: TETHER_CDS=on, but " + notADirectory.resolve("cds")
                                + " cannot be made; starting without a class-data archive",
                        "tether " + VERSION);

        Launched wrong = Launched.run(work, Map.of("TETHER_CDS", "yes"), version);
        assertThat(wrong.exitStatus()).isEqualTo(1);
        assertThat(wrong.lines()).containsExactly("[err] tether: TETHER_CDS is 'yes'; use on or off");
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().collect(Collectors.toCollection(ArrayList::new));
        }
    }

    /**
     * The unit's ExecStart, with the distribution and the sample configuration where this test unpacked them, run in
     * a fresh directory as the unit's WorkingDirectory: the node comes up from the sample configuration, answers
     * {@code tether stats}, keeps its store in the working directory, and SIGTERM ends it with a status the unit
     * counts as success.
     */
    @Test
    void systemdUnitsCommandStartsANodeFromTheSampleConfigurationAndStopsOnSigterm() throws IOException {
        Path state = Files.createDirectories(work.resolve("var/lib/tether"));
        List<String> command = new ArrayList<>(SystemdUnit.read(home).execStart(home));
        // The sample's ports may be taken on a build machine; everything else comes from the file as shipped.
        command.addAll(List.of("--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"));
        try (Launched node = Launched.start(state, Map.of(), command)) {
            Matcher ready = READY.matcher(node.awaitLine(l -> READY.matcher(l).find()));
            assertThat(ready.find()).isTrue();
            // The launcher replaced itself with the JVM, so systemd's SIGTERM reaches the node, not a shell.
            assertThat(node.executable()).endsWith("/bin/java");
            assertThat(node.output()).contains("durability=FSYNC");
            assertThat(state.resolve("tether-a.db")).isRegularFile();

            Launched stats = Launched.run(
                    work, Map.of(), List.of(home.resolve("bin/tether").toString(), "stats", "--admin", ready.group(1)));
            assertThat(stats.exitStatus()).as(stats.output()).isZero();

            node.terminate();
            int status = node.awaitExit();
            assertThat(SystemdUnit.read(home).successStatuses())
                    .as("exit status %d after SIGTERM; output:%n%s", status, node.output())
                    .contains(status);
            assertThat(node.output()).contains("stopped node a");
        }
    }

    @Test
    void systemdUnitParses() throws IOException {
        SystemdUnit.assumeAnalyzerPresent();
        // The unit as shipped, but pointing at the unpacked distribution: verify checks that ExecStart is executable.
        Path unit = work.resolve("tether.service");
        Files.writeString(
                unit,
                Files.readString(home.resolve("conf/tether.service"))
                        .replace(SystemdUnit.INSTALL_DIR, home.toString()));
        Launched verify = Launched.run(work, Map.of(), List.of("systemd-analyze", "verify", unit.toString()));
        assertThat(verify.exitStatus()).as(verify.output()).isZero();
        assertThat(verify.lines()).as("warnings count as failures").isEmpty();
    }

    private static List<String> libJars() throws IOException {
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            return jars.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A PATH with the tools the launcher uses besides java (dirname, readlink), and no java. */
    private Path pathWithoutJava() throws IOException {
        Path bin = Files.createDirectories(work.resolve("bin-without-java"));
        for (String tool : List.of("dirname", "readlink")) {
            Path found = Stream.of("/usr/bin", "/bin")
                    .map(d -> Path.of(d, tool))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + tool + " in /usr/bin or /bin"));
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        return bin;
    }
}
