package dev.tether.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a positive duration: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 3m}, {@code 1h}, or ISO-8601 ({@code
 * PT2S}), at most {@link #MAX} (what nanoseconds in a {@code long} hold: a longer one would overflow where it is used,
 * and a number too large for milliseconds would silently become the largest one).
 */
final class Durations implements ITypeConverter<Duration> {
    /** The longest duration taken: {@code Long.MAX_VALUE} nanoseconds, about 292 years. */
    static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    @Override
    public Duration convert(String value) {
        Duration d = parse(value.strip());
        if (d.isZero() || d.isNegative()) throw new TypeConversionException("'" + value + "': must be positive");
        if (d.compareTo(MAX) > 0) {
            throw new TypeConversionException("'" + value + "': too long (at most " + MAX.toDays() + " days)");
        }
        return d;
    }

    private static Duration parse(String v) {
        try {
            if (v.startsWith("P") || v.startsWith("p")) return Duration.parse(v);
            String unit = v.replaceAll("^[0-9.]+", "");
            double n = Double.parseDouble(v.substring(0, v.length() - unit.length()));
            double millis = switch (unit) {
                case "ms" -> n;
                case "s", "" -> n * 1_000;
                case "m" -> n * 60_000;
                case "h" -> n * 3_600_000;
                default -> throw new TypeConversionException("'" + v + "': unknown unit '" + unit + "' (ms, s, m, h)");
            };
            if (!(millis <= MAX.toMillis())) { // Math.round would make it Long.MAX_VALUE
                throw new TypeConversionException("'" + v + "': too long (at most " + MAX.toDays() + " days)");
            }
            return Duration.ofMillis(Math.round(millis));
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new TypeConversionException("'" + v + "' is not a duration (for example 500ms, 2s, 1m)");
        }
    }
}
