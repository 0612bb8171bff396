package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every rule error is accounted for (docs/MESSAGING.md, "Errors as events"): errors told = RuleError events + the sum
 * of their {@code suppressed}, also beyond the {@link RuleErrors#MAX_QUEUED} that wait for the node thread.
 */
class RuleErrorsTest {
    @Test
    void errorsBeyondTheQueueAreCountedInTheNextEventsSuppressed() {
        RuleErrors errors = new RuleErrors();
        int told = 2_000;
        for (int i = 0; i < told; i++) errors.accept("r", "problem " + i);
        List<TetherEvent.RuleError> events = new ArrayList<>();
        for (long now = 0; now <= 5_000; now += 500) {
            errors.endOfTurn(now, e -> events.add((TetherEvent.RuleError) e));
        }
        long suppressed =
                events.stream().mapToLong(TetherEvent.RuleError::suppressed).sum();
        assertThat(events.size() + suppressed).isEqualTo(told);
        assertThat(events.get(events.size() - 1).problem())
                .as("the latest told")
                .isEqualTo("problem 1999");
    }
}
