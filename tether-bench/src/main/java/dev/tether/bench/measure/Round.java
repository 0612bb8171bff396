package dev.tether.bench.measure;

/**
 * What one round measured. Immutable.
 *
 * @param value the round's figure: messages (or requests) per second for throughput rounds, nanoseconds for
 *     round-trip rounds
 * @param cpuPerOp CPU nanoseconds per message (or round trip) used by this JVM and its live child processes
 * @param seconds the round's wall time
 * @param load the 1-minute load average when the round ended
 */
public record Round(double value, double cpuPerOp, double seconds, String load) {}
