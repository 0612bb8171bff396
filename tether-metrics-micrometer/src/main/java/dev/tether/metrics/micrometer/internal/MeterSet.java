package dev.tether.metrics.micrometer.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters registered for one thing (the node, a peer, a stream), so they can be removed together. This set holds
 * {@code source} strongly, and its owner holds the set until it removes it: Micrometer itself holds a function
 * counter's source only weakly.
 */
final class MeterSet<T> {
    private final MeterRegistry registry;
    private final Tags tags;
    private final T source;
    private final List<Meter> meters = new ArrayList<>();

    MeterSet(MeterRegistry registry, Tags tags, T source) {
        this.registry = registry;
        this.tags = tags;
        this.source = source;
    }

    MeterSet<T> gauge(String name, String description, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, source, value)
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry));
        return this;
    }

    MeterSet<T> seconds(String name, String description, ToDoubleFunction<T> value) {
        meters.add(Gauge.builder(name, source, value)
                .description(description)
                .tags(tags)
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry));
        return this;
    }

    MeterSet<T> counter(String name, String description, ToDoubleFunction<T> value) {
        meters.add(FunctionCounter.builder(name, source, value)
                .description(description)
                .tags(tags)
                .register(registry));
        return this;
    }

    void remove() {
        for (Meter m : meters) registry.remove(m);
        meters.clear();
    }
}
