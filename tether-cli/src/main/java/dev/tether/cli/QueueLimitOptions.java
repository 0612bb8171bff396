package dev.tether.cli;

import dev.tether.DeadLetterLimits;
import dev.tether.OverflowPolicy;
import dev.tether.StreamLimits;
import dev.tether.node.TetherConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The bounds of a node's queues, as options of the commands that run a node: the dead-letter queue's size, age and
 * policy when full (docs/OPERATIONS.md, "Dead letters"), and per-stream limits with their overflow policy
 * (docs/MESSAGING.md, "Backpressure"), also for endpoints by address glob. Unset options keep the library's defaults. A value out of range is a usage
 * error naming the option (exit code 2); the node does not start.
 */
final class QueueLimitOptions {
    @Option(
            names = "--dead-letters-max-count",
            paramLabel = "N",
            description = "Dead letters kept at most (default 100000).")
    Long deadLettersMaxCount;

    @Option(
            names = "--dead-letters-max-bytes",
            paramLabel = "BYTES",
            description = "Payload bytes of the kept dead letters together, at most (default 268435456).")
    Long deadLettersMaxBytes;

    @Option(
            names = "--dead-letters-max-age",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "How long a dead letter is kept at most, for example 168h (default 720h: 30 days).")
    Duration deadLettersMaxAge;

    @Option(
            names = "--dead-letters-when-full",
            paramLabel = "POLICY",
            description = "drop-oldest (default: the oldest dead letters make room) or refuse (the failing message's"
                    + " stream blocks until a purge, replay or the age sweep makes room).")
    String deadLettersWhenFull;

    @Option(
            names = "--stream-limit",
            paramLabel = "PEER,LANE,MAX[,POLICY]",
            converter = StreamLimitSpec.Converter.class,
            description = "Outbound streams to peers matching PEER on lanes matching LANE (globs, * for any run) hold"
                    + " at most MAX unacknowledged messages; beyond, POLICY: reject (default), drop-newest,"
                    + " drop-oldest (the oldest message not yet transmitted makes room) or block:DURATION (a send"
                    + " waits up to DURATION for room). Repeatable; the first match wins.")
    List<StreamLimitSpec> streamLimits = new ArrayList<>();

    @Option(
            names = "--endpoint-limit",
            paramLabel = "NODE/AGENT,MAX[,POLICY]",
            converter = EndpointLimitSpec.Converter.class,
            description = "Outbound streams to the endpoints matching NODE/AGENT (globs, * for any run; this node's own"
                    + " endpoints too) hold at most MAX unacknowledged messages; beyond, POLICY as for --stream-limit."
                    + " Repeatable; the first match wins.")
    List<EndpointLimitSpec> endpointLimits = new ArrayList<>();

    /** Applies the options given to {@code b}. */
    void apply(TetherConfig.Builder b) {
        if (deadLettersMaxCount != null
                || deadLettersMaxBytes != null
                || deadLettersMaxAge != null
                || deadLettersWhenFull != null) {
            DeadLetterLimits d = DeadLetterLimits.DEFAULT;
            b.deadLetters(new DeadLetterLimits(
                    deadLettersMaxCount != null ? deadLettersMaxCount : d.maxCount(),
                    deadLettersMaxBytes != null ? deadLettersMaxBytes : d.maxBytes(),
                    deadLettersMaxAge != null ? deadLettersMaxAge : d.maxAge(),
                    deadLettersWhenFull != null ? whenFull(deadLettersWhenFull) : d.whenFull()));
        }
        for (StreamLimitSpec s : streamLimits) b.streamLimits(s.peer(), s.lane(), s.limits());
        for (EndpointLimitSpec s : endpointLimits) b.endpointLimits(s.address(), s.limits());
    }

    private static DeadLetterLimits.WhenFull whenFull(String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "drop-oldest" -> DeadLetterLimits.WhenFull.DROP_OLDEST;
            case "refuse" -> DeadLetterLimits.WhenFull.REFUSE;
            default ->
                throw new dev.tether.InvalidConfigException(
                        "--dead-letters-when-full: '" + v + "' is not drop-oldest or refuse");
        };
    }

    /** One {@code --stream-limit}: the selector's globs and the limits it gives. */
    record StreamLimitSpec(String peer, String lane, StreamLimits limits) {
        /** Parses {@code PEER,LANE,MAX[,POLICY]}. */
        static final class Converter implements ITypeConverter<StreamLimitSpec> {
            @Override
            public StreamLimitSpec convert(String value) {
                String[] f = value.split(",", -1);
                if (f.length < 3 || f.length > 4 || f[0].isBlank() || f[1].isBlank()) {
                    throw new TypeConversionException("'" + value + "' is not PEER,LANE,MAX[,POLICY]"
                            + " (for example '*,orders,10000,block:2s')");
                }
                return new StreamLimitSpec(
                        f[0].strip(), f[1].strip(), limits(value, f[2], f.length == 4 ? f[3] : null));
            }

            /** {@code max} messages at most, then {@code policy} (null: reject); a bad field names {@code value}. */
            static StreamLimits limits(String value, String maxField, String policyField) {
                long max;
                try {
                    max = Long.parseLong(maxField.strip());
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "': MAX '" + maxField + "' is not a number");
                }
                if (max < 1) throw new TypeConversionException("'" + value + "': MAX must be >= 1");
                OverflowPolicy policy =
                        policyField != null ? policy(value, policyField.strip()) : OverflowPolicy.REJECT;
                return StreamLimits.maxMessages(max).policy(policy);
            }

            private static OverflowPolicy policy(String value, String p) {
                String lower = p.toLowerCase(Locale.ROOT);
                if (lower.equals("reject")) return OverflowPolicy.REJECT;
                if (lower.equals("drop-newest")) return OverflowPolicy.DROP_NEWEST;
                if (lower.equals("drop-oldest")) return OverflowPolicy.DROP_OLDEST;
                if (lower.startsWith("block:")) return OverflowPolicy.block(new Durations().convert(p.substring(6)));
                throw new TypeConversionException("'" + value + "': POLICY '" + p
                        + "' is not reject, drop-newest, drop-oldest or block:DURATION");
            }
        }
    }

    /** One {@code --endpoint-limit}: the address glob and the limits it gives. */
    record EndpointLimitSpec(String address, StreamLimits limits) {
        /** Parses {@code NODE/AGENT,MAX[,POLICY]}. */
        static final class Converter implements ITypeConverter<EndpointLimitSpec> {
            @Override
            public EndpointLimitSpec convert(String value) {
                String[] f = value.split(",", -1);
                if (f.length < 2 || f.length > 3 || f[0].isBlank()) {
                    throw new TypeConversionException("'" + value + "' is not NODE/AGENT,MAX[,POLICY]"
                            + " (for example 'b/worker-*,1000,block:2s')");
                }
                return new EndpointLimitSpec(
                        f[0].strip(), StreamLimitSpec.Converter.limits(value, f[1], f.length == 3 ? f[2] : null));
            }
        }
    }
}
