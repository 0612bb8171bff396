package dev.tether.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What CPU and switches are counted of: this JVM and its live descendants, but those a paired run leaves out. */
class CpuMeterTest {
    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException {
        CpuMeter.excludeOnThisThread(Set.of());
        if (child != null) {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void excludedProcessesAreLeftOutOnTheExcludingThreadOnly() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
        long pid = child.pid();
        long self = ProcessHandle.current().pid();

        assertThat(CpuMeter.measuredPids().boxed()).contains(self, pid);

        CpuMeter.excludeOnThisThread(Set.of(pid));
        assertThat(CpuMeter.measuredPids().boxed()).contains(self).doesNotContain(pid);
        AtomicReference<Set<Long>> onAnotherThread = new AtomicReference<>();
        Thread t = new Thread(() ->
                onAnotherThread.set(Set.copyOf(CpuMeter.measuredPids().boxed().toList())));
        t.start();
        t.join(60_000);
        assertThat(onAnotherThread.get()).contains(self, pid);

        CpuMeter.excludeOnThisThread(Set.of());
        assertThat(CpuMeter.measuredPids().boxed()).contains(pid);
    }
}
