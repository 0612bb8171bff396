package dev.tether.dist;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The settings of the shipped systemd unit ({@code conf/tether.service}) that the tests run or compare against. */
record SystemdUnit(List<String> lines) {
    /** Where the unit expects the distribution, and the configuration file it names. */
    static final String INSTALL_DIR = "/opt/tether";

    static final String CONFIG = "/etc/tether/node.properties";

    static SystemdUnit read(Path home) throws IOException {
        return new SystemdUnit(Files.readAllLines(home.resolve("conf/tether.service")));
    }

    private String value(String key) {
        List<String> values = lines.stream()
                .filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1).strip())
                .toList();
        if (values.size() != 1) throw new AssertionError("expected one " + key + "= in the unit, found " + values);
        return values.get(0);
    }

    /** ExecStart's words, with the distribution and the sample configuration in {@code home}. */
    List<String> execStart(Path home) {
        return Arrays.stream(value("ExecStart").split("\\s+"))
                .map(w ->
                        w.equals(CONFIG) ? home.resolve("conf/node.properties").toString() : w)
                .map(w -> w.startsWith(INSTALL_DIR + "/") ? home + w.substring(INSTALL_DIR.length()) : w)
                .toList();
    }

    /** The exit statuses systemd counts as a successful end: 0 and those of SuccessExitStatus. */
    Set<Integer> successStatuses() {
        Set<Integer> statuses = new HashSet<>(Set.of(0));
        for (String s : value("SuccessExitStatus").split("\\s+")) statuses.add(Integer.parseInt(s));
        return statuses;
    }

    /** Skips the calling test where systemd's tools are not installed (.ci/run installs them). */
    static void assumeAnalyzerPresent() {
        boolean present = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "systemd-analyze")));
        Assumptions.assumeTrue(present, "systemd-analyze is not installed; the unit's syntax is not checked");
    }
}
