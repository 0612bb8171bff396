package dev.tether.metrics.micrometer;

import dev.tether.metrics.micrometer.internal.CommitMeters;
import dev.tether.spi.CommitObserver;
import dev.tether.testkit.CommitObserverContract;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.IdentityHashMap;
import java.util.Map;

/** The Micrometer commit observer keeps the CommitObserver contract; counts are read back from the registry. */
class CommitMetersContractTest extends CommitObserverContract {
    private final Map<CommitObserver, SimpleMeterRegistry> registries = new IdentityHashMap<>();

    @Override
    protected CommitObserver newObserver() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CommitMeters meters = new CommitMeters(registry, Tags.of("node", "n"));
        registries.put(meters, registry);
        return meters;
    }

    @Override
    protected long recordedCommits(CommitObserver observer) {
        long n = 0;
        for (Timer t : registries.get(observer).find("tether.store.commit").timers()) n += t.count();
        return n;
    }
}
