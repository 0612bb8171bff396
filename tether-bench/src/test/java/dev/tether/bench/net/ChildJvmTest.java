package dev.tether.bench.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A child JVM gets G1 unless the bench's options name another collector, which the JVM would refuse beside G1. */
class ChildJvmTest {
    @Test
    void optionsThatSelectACollectorAreRecognised() {
        assertThat(ChildJvm.selectsCollector("-XX:+UseParallelGC")).isTrue();
        assertThat(ChildJvm.selectsCollector("-XX:+UseZGC")).isTrue();
        assertThat(ChildJvm.selectsCollector("-XX:+UseShenandoahGC")).isTrue();
        assertThat(ChildJvm.selectsCollector("-XX:+UseStringDeduplication")).isFalse();
        assertThat(ChildJvm.selectsCollector("-XX:MaxGCPauseMillis=10")).isFalse();
        assertThat(ChildJvm.selectsCollector("-Xmx1g")).isFalse();
    }
}
