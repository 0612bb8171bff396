package dev.tether.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The probe runs against the real disk and describes what it did; it measures, it asserts no timing. */
class FsyncProbeTest {
    @Test
    void describesEveryStep() throws Exception {
        assertThat(FsyncProbe.run(20))
                .startsWith("fsync probe: 20 x (4 KiB write + fdatasync)")
                .contains("p99.9");
    }

    @Test
    void refusesANonPositiveCount() {
        assertThatThrownBy(() -> FsyncProbe.main(new String[] {"0"})).isInstanceOf(IllegalArgumentException.class);
    }
}
