package dev.tether.cli;

import dev.tether.bus.HistoryOptions;
import dev.tether.node.TetherConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The message history of a node run by a command ({@code --history}, docs/OPERATIONS.md, "Message history"): off
 * unless one of these options is given; each bound given turns it on and replaces that bound of {@link
 * HistoryOptions#DEFAULT}. A value out of range is a usage error naming the bound (exit code 2); the node does not
 * start.
 */
final class HistoryNodeOptions {
    @Option(
            names = "--history",
            description = "Keep a queryable history of the messages sent and received (tether history,"
                    + " GET /mgmt/history): metadata of up to 1000000 messages for 7 days unless bounded below.")
    boolean history;

    @Option(
            names = "--history-max-entries",
            paramLabel = "N",
            description = "History entries kept at most (default 1000000); implies --history.")
    Long maxEntries;

    @Option(
            names = "--history-max-age",
            paramLabel = "DURATION",
            converter = Durations.class,
            description =
                    "How long a history entry is kept at most, for example 24h (default 168h); implies" + " --history.")
    Duration maxAge;

    @Option(
            names = "--history-payload-bytes",
            paramLabel = "BYTES",
            description = "Payload bytes kept per history entry (default 0: metadata only); implies --history.")
    Integer payloadBytes;

    /** Turns the history on in {@code b} if any option was given. */
    void apply(TetherConfig.Builder b) {
        if (!history && maxEntries == null && maxAge == null && payloadBytes == null) return;
        HistoryOptions d = HistoryOptions.DEFAULT;
        b.history(new HistoryOptions(
                maxEntries != null ? maxEntries : d.maxEntries(),
                maxAge != null ? maxAge : d.maxAge(),
                payloadBytes != null ? payloadBytes : d.maxPayloadBytes()));
    }
}
