package dev.tether.bench.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the numbers were measured on: cores, CPU model, JDK and the load average at the moment of asking. */
final class Machine {
    private Machine() {}

    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String l : lines) {
                if (l.startsWith("model name"))
                    return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            return "unknown CPU (" + e.getMessage() + ")";
        }
        return "unknown CPU";
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
    static String loadAverage() {
        return dev.tether.bench.measure.Load.now();
    }

    static String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "%d cores (%s), JDK %s %s, max heap %d MiB",
                rt.availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.vendor"),
                System.getProperty("java.vm.version"),
                rt.maxMemory() >> 20);
    }
}
