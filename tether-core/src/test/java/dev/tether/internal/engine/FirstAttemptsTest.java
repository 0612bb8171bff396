package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The attempts of stored (loopback) messages by position: {@link FirstAttempts}. */
class FirstAttemptsTest {
    @Test
    void aRunCountsItsMessagesAndItsEndFreesThoseItNeverReached() {
        FirstAttempts f = new FirstAttempts();
        f.reset(10);
        assertThat(f.fresh(11)).isTrue();
        for (long seq = 11; seq <= 15; seq++) f.counted(seq);
        assertThat(f.of(15)).isEqualTo(1);
        assertThat(f.fresh(16)).isTrue();

        f.runEnded(12); // 13..15 were not attempted
        assertThat(f.of(12)).isEqualTo(1);
        assertThat(f.of(13)).isZero();
        assertThat(f.fresh(13)).isTrue();
    }

    @Test
    void aRunThatCountedNothingLeavesEarlierCountsAlone() {
        FirstAttempts f = new FirstAttempts();
        f.reset(10);
        for (long seq = 11; seq <= 20; seq++) f.counted(seq);
        f.runEnded(20); // a consumer handed out all of them; 11..14 processed, 15..20 wait, attempted once
        // The next run starts at 15, attempted before: it is made an InMessage and counts itself; this counts none.
        f.runEnded(15);
        assertThat(f.of(16)).isEqualTo(1);
        assertThat(f.of(20)).isEqualTo(1);
        assertThat(f.fresh(21)).isTrue();
    }

    @Test
    void aRunAfterEarlierCountsFreesOnlyWhatItCounted() {
        FirstAttempts f = new FirstAttempts();
        f.reset(0);
        for (long seq = 1; seq <= 5; seq++) f.counted(seq);
        f.runEnded(5); // 1..5 handed out once (a consumer's report), not processed
        // The next run: 1..5 join as InMessages (counted by themselves), then 6..8 counted here; it failed at 2.
        for (long seq = 6; seq <= 8; seq++) f.counted(seq);
        f.runEnded(2);
        assertThat(f.of(5)).isEqualTo(1);
        assertThat(f.of(6)).isZero();
        assertThat(f.fresh(6)).isTrue();
    }

    @Test
    void aRestartForgetsEveryCount() {
        FirstAttempts f = new FirstAttempts();
        f.reset(0);
        for (long seq = 1; seq <= 5; seq++) f.counted(seq);
        f.reset(3);
        assertThat(f.fresh(4)).isTrue();
        f.counted(4);
        f.runEnded(3);
        assertThat(f.of(4)).isZero();
    }
}
