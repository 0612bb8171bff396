package dev.tether.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's load average (Linux {@code /proc/loadavg}), printed beside every rate: on a shared 2-core
 * machine a rate means little without the load it was measured under. Stateless.
 */
public final class Load {
    private Load() {}

    /** The 1, 5 and 15 minute load averages, e.g. {@code "2.10 1.80 1.50"}, or {@code "unknown"}. */
    public static String now() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII)
                    .trim()
                    .split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average alone, or {@code "?"}. */
    public static String oneMinute() {
        String n = now();
        return n.equals("unknown") ? "?" : n.substring(0, n.indexOf(' '));
    }
}
