package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.internal.engine.StreamKey;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Cancellation: "Of calls handed to the handlers and not started, it keeps at most 1,024
 * withdrawals per stream (beyond, the lowest is dropped and its call may run)". The newest withdrawal is kept: its
 * call is skipped; the lowest one's call may start.
 */
class CancelsBoundTest {
    private static final long EPOCH = 0x5eedL;

    @Test
    void beyondTheBoundTheLowestWithdrawalIsDroppedAndTheNewestKept() {
        Cancels cancels = new Cancels();
        StreamKey key = new StreamKey(NodeId.of("a"), "orders");
        int n = Cancels.MAX_PER_STREAM + 1;
        for (long seq = 1; seq <= n; seq++)
            assertThat(cancels.cancelled(key, EPOCH, seq)).isNull();
        assertThat(cancels.notStarted()).isEqualTo(Cancels.MAX_PER_STREAM);

        assertThat(cancels.starting(key, EPOCH, 1))
                .as("the lowest withdrawal was dropped: call 1 may run")
                .isTrue();
        assertThat(cancels.starting(key, EPOCH, n))
                .as("the newest withdrawal is kept: call %d is skipped", n)
                .isFalse();
    }
}
