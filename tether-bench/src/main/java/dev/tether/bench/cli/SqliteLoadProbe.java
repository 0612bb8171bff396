package dev.tether.bench.cli;

import dev.tether.store.sqlite.SqliteNativeLibrary;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * A child process of {@code CliBench sqlite-load}: the time from the start of {@code main} to the first SQLite
 * connection, with sqlite-jdbc's own extraction ({@code --no-cache}) or through {@link SqliteNativeLibrary}'s
 * cache directory. Prints {@code first-connection-ms WALL CPU}: wall time, and the CPU time of the thread doing it
 * (which the machine's load disturbs far less).
 */
public final class SqliteLoadProbe {
    private SqliteLoadProbe() {}

    public static void main(String[] args) throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        if (!args[0].equals("--no-cache")) SqliteNativeLibrary.useCache(Path.of(args[0]));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            c.createStatement().close();
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
        System.out.println("first-connection-ms " + wall + " " + cpu);
    }
}
