package dev.tether.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The command line of a paired run: two sides, each a scenario with settings of its own beside the shared ones. */
class PairedOptionsTest {
    @Test
    void eachSideRunsItsScenarioAloneWithTheSharedOptionsAndItsOwn() {
        PairedOptions p = PairedOptions.parse(
                "--messages",
                "1000000",
                "--paired",
                "tcp-memory:lanes=10,tcp-memory:lanes=10000:outstanding=20000",
                "--repeat",
                "8",
                "--lanes",
                "4");

        assertThat(PairedOptions.requested("--quick", "--paired", "a,b")).isTrue();
        assertThat(PairedOptions.requested("--quick", "--only", "tcp-memory")).isFalse();
        assertThat(p.a().spec()).isEqualTo("tcp-memory:lanes=10");
        assertThat(p.b().scenario()).isEqualTo("tcp-memory");
        BenchOptions a = p.a().options(), b = p.b().options();
        assertThat(a.scenarios()).containsExactly("tcp-memory");
        assertThat(a.lanes()).isEqualTo(10); // the side's own setting wins over the shared --lanes 4
        assertThat(b.lanes()).isEqualTo(10_000);
        assertThat(b.maxOutstanding()).isEqualTo(20_000);
        assertThat(a.maxOutstanding()).isEqualTo(BenchOptions.fullSizes().maxOutstanding());
        assertThat(a.rounds()).isEqualTo(8); // the pairs
        assertThat(b.messages()).isEqualTo(1_000_000);
    }

    @Test
    void aRoundTripPairsWithTheRawPingPongAndQuickSizesApplyToBoth() {
        PairedOptions p = PairedOptions.parse("--quick", "--paired", "tcp-roundtrip,socket-pingpong");

        assertThat(p.a().options().scenarios()).containsExactly("tcp-roundtrip");
        assertThat(p.b().options().scenarios()).containsExactly("socket-pingpong");
        assertThat(p.b().options().quick()).isTrue();
    }

    @Test
    void aSettingsValueKeepsItsColons() {
        PairedOptions p = PairedOptions.parse(
                "--paired",
                "tcp-roundtrip:child-jvm-arg=-XX:StartFlightRecording=filename=/tmp/a:lanes=2,socket-pingpong");

        assertThat(p.a().options().childJvmArgs()).containsExactly("-XX:StartFlightRecording=filename=/tmp/a");
        assertThat(p.a().options().lanes()).isEqualTo(2);
    }

    @Test
    void malformedPairsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory")).hasMessageContaining("two scenarios");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "a,b,c")).hasMessageContaining("two scenarios");
        assertThatThrownBy(() -> PairedOptions.parse("--paired")).hasMessageContaining("missing value");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory,nope"))
                .hasMessageContaining("unknown scenario nope");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory,uds-memory", "--only", "tcp-memory"))
                .hasMessageContaining("no --only");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory:repeat=3,uds-memory"))
                .hasMessageContaining("same for both sides");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory:lanes,uds-memory"))
                .hasMessageContaining("option=value");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory:colour=red,uds-memory"))
                .hasMessageContaining("unknown option --colour");
        assertThatThrownBy(() -> PairedOptions.parse("--paired", "tcp-memory:lanes=x,uds-memory"))
                .hasMessageContaining("whole number");
    }
}
