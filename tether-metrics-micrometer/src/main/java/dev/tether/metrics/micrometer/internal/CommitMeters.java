package dev.tether.metrics.micrometer.internal;

import dev.tether.spi.CommitObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Store commits as meters: {@code tether.store.commit} (a timer per result, {@code ok} or {@code failed}, with a
 * percentile histogram) and the distributions of entries and appended messages per batch. Micrometer's meters are
 * thread-safe, so a scrape reads them while the store thread records (CommitObserver rule 5).
 */
public final class CommitMeters implements CommitObserver {
    private final MeterRegistry registry;
    private final Timer committed;
    private final Timer failed;
    private final DistributionSummary entries;
    private final DistributionSummary messages;

    public CommitMeters(MeterRegistry registry, Tags node) {
        this.registry = registry;
        this.committed = timer(registry, node, "ok");
        this.failed = timer(registry, node, "failed");
        this.entries = DistributionSummary.builder("tether.store.batch.entries")
                .description("Entries (messages, cursors, trims, dead letters) per store commit")
                .tags(node)
                .publishPercentileHistogram()
                .register(registry);
        this.messages = DistributionSummary.builder("tether.store.batch.messages")
                .description("Messages appended to outboxes per store commit")
                .tags(node)
                .publishPercentileHistogram()
                .register(registry);
    }

    private static Timer timer(MeterRegistry registry, Tags node, String result) {
        return Timer.builder("tether.store.commit")
                .description("Time a store commit took (group commit: one per batch)")
                .tags(node)
                .tag("result", result)
                .publishPercentileHistogram()
                .register(registry);
    }

    @Override
    public void onCommit(long durationNanos, int entries, int messages, boolean ok) {
        (ok ? committed : failed).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        this.entries.record(Math.max(0, entries));
        this.messages.record(Math.max(0, messages));
    }

    /** Commit attempts recorded, committed or failed. */
    public long attempts() {
        return committed.count() + failed.count();
    }

    /** Removes the commit meters from the registry; later commits are recorded in meters nobody reads. */
    public void close() {
        registry.remove(committed);
        registry.remove(failed);
        registry.remove(entries);
        registry.remove(messages);
    }
}
