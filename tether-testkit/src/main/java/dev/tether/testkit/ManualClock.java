package dev.tether.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when told to, with millisecond resolution, in UTC. Thread-safe: readers on
 * any thread see every {@link #setMillis} and {@link #advance} that happened before. Clocks returned by
 * {@link #withZone} share this clock's time.
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;
    private final ZoneId zone;

    /** A clock reading {@code epochMillis} milliseconds after 1970-01-01T00:00Z. */
    public ManualClock(long epochMillis) {
        this(new AtomicLong(epochMillis), ZoneOffset.UTC);
    }

    private ManualClock(AtomicLong millis, ZoneId zone) {
        this.millis = millis;
        this.zone = zone;
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return zone.equals(this.zone) ? this : new ManualClock(millis, zone);
    }

    /** Sets the time; it may go backwards, as a wall clock may. */
    public void setMillis(long epochMillis) {
        millis.set(epochMillis);
    }

    /**
     * Moves the time forward by {@code amount} (whole milliseconds) and returns the new time.
     *
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public long advance(Duration amount) {
        if (amount.isNegative()) throw new IllegalArgumentException("cannot advance by a negative " + amount);
        return millis.addAndGet(amount.toMillis());
    }
}
