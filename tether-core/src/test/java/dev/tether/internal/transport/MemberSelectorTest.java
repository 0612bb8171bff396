package dev.tether.internal.transport;

import static dev.tether.internal.transport.MemberSelector.NONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.internal.transport.MemberSelector.Switch;
import org.junit.jupiter.api.Test;

/** The switching rules of a composite transport, stepped with a manual clock (nanoseconds). */
class MemberSelectorTest {
    private static final long STABLE = 1_000;
    private final MemberSelector s = new MemberSelector(3, STABLE);

    @Test
    void aStablePeriodBeyondTheClocksRangeIsNeverOverNotOverAtOnce() {
        MemberSelector forever = new MemberSelector(2, Long.MAX_VALUE);
        forever.memberUp(1, 5);
        forever.memberUp(0, 10);
        assertThat(forever.nextCheckAt()).isEqualTo(Long.MAX_VALUE);
        assertThat(forever.tick(1_000_000)).isEqualTo(MemberSelector.UNCHANGED);
        assertThat(forever.current()).isEqualTo(1);
    }

    @Test
    void firstMemberUpCarriesThePeerAtOnceWhateverItsPriority() {
        assertThat(s.memberUp(1, 0)).isEqualTo(new Switch(NONE, 1));
        assertThat(s.current()).isEqualTo(1);
        assertThat(s.memberUp(2, 5)).isEqualTo(MemberSelector.UNCHANGED);
        assertThat(s.current()).isEqualTo(1);
    }

    @Test
    void failoverGoesAtOnceToTheMostPreferredMemberStillUp() {
        s.memberUp(0, 0);
        s.memberUp(2, 0);
        s.memberUp(1, 0);

        assertThat(s.memberDown(0)).isEqualTo(new Switch(0, 1));
        assertThat(s.memberDown(1)).isEqualTo(new Switch(1, 2));
        assertThat(s.memberDown(2)).isEqualTo(new Switch(2, NONE));
        assertThat(s.current()).isEqualTo(NONE);
    }

    @Test
    void aMemberThatIsNotCarryingGoesDownUnnoticed() {
        s.memberUp(0, 0);
        s.memberUp(1, 0);

        assertThat(s.memberDown(1).changed()).isFalse();
        assertThat(s.current()).isZero();
    }

    @Test
    void switchBackOnlyAfterThePreferredMemberWasUpForTheStablePeriod() {
        s.memberUp(0, 0);
        s.memberUp(1, 0);
        s.memberDown(0);
        assertThat(s.current()).isEqualTo(1);

        assertThat(s.memberUp(0, 100).changed()).isFalse();
        assertThat(s.nextCheckAt()).isEqualTo(100 + STABLE);
        assertThat(s.tick(100 + STABLE - 1).changed()).isFalse();
        assertThat(s.tick(100 + STABLE)).isEqualTo(new Switch(1, 0));
        assertThat(s.nextCheckAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aFlappingPreferredMemberNeverTakesOver() {
        s.memberUp(1, 0);
        for (long t = 0; t < 20 * STABLE; t += STABLE / 2) {
            assertThat(s.memberUp(0, t).changed()).isFalse();
            assertThat(s.tick(t + STABLE / 2 - 1).changed()).isFalse();
            assertThat(s.memberDown(0).changed()).isFalse();
        }
        assertThat(s.current()).isEqualTo(1);
        assertThat(s.nextCheckAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void switchBackGoesToTheMostPreferredStableMember() {
        s.memberUp(2, 0);
        s.memberUp(1, 10);
        s.memberUp(0, 500);

        assertThat(s.nextCheckAt()).isEqualTo(10 + STABLE);
        assertThat(s.tick(10 + STABLE)).isEqualTo(new Switch(2, 1));
        assertThat(s.nextCheckAt()).isEqualTo(500 + STABLE);
        assertThat(s.tick(500 + STABLE)).isEqualTo(new Switch(1, 0));
    }

    @Test
    void aRefusedMemberIsSkippedUntilItComesUpAgainOrRefusalsAreForgotten() {
        assertThat(s.memberUp(0, 0)).isEqualTo(new Switch(NONE, 0));
        s.memberUp(1, 0);
        assertThat(s.refused(0)).isEqualTo(new Switch(NONE, 1));
        assertThat(s.refused(1)).isEqualTo(new Switch(NONE, NONE));
        assertThat(s.tick(10 * STABLE).changed()).isFalse();

        assertThat(s.forgetRefusals()).isEqualTo(new Switch(NONE, 0));

        s.refused(0);
        assertThat(s.current()).isEqualTo(1);
        s.memberDown(0);
        assertThat(s.memberUp(0, 20 * STABLE).changed()).isFalse();
        assertThat(s.tick(21 * STABLE)).isEqualTo(new Switch(1, 0));
    }

    @Test
    void zeroStablePeriodSwitchesBackOnTheNextTick() {
        MemberSelector eager = new MemberSelector(2, 0);
        eager.memberUp(1, 0);
        eager.memberUp(0, 7);
        assertThat(eager.nextCheckAt()).isEqualTo(7);
        assertThat(eager.tick(7)).isEqualTo(new Switch(1, 0));
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> new MemberSelector(0, 1)).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> new MemberSelector(1, -1)).hasMessageContaining("negative stable period");
    }
}
