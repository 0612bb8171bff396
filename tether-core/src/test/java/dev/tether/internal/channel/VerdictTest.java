package dev.tether.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of kick and re-admission verdicts, and their stored form (including bans stored before verdicts). */
class VerdictTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void theGreaterGenerationWinsThenTheGreaterDeciderWhateverTheOrder() {
        Verdict kickByA = new Verdict(true, 1, A, true, List.of());
        Verdict readmitByB = new Verdict(false, 1, B, true, List.of());
        Verdict kickAgainByA = new Verdict(true, 2, A, true, List.of());

        assertThat(held(kickByA, readmitByB)).isEqualTo(readmitByB);
        assertThat(held(readmitByB, kickByA)).isEqualTo(readmitByB);
        assertThat(held(readmitByB, kickAgainByA)).isEqualTo(kickAgainByA);
        assertThat(held(kickAgainByA, readmitByB)).isEqualTo(kickAgainByA);
        assertThat(kickByA.supersedes(null)).isTrue();
        assertThat(kickByA.supersedes(kickByA)).isFalse(); // taken again: changes nothing
        assertThat(Verdict.next(null)).isEqualTo(1);
        assertThat(Verdict.next(readmitByB)).isEqualTo(2);
    }

    @Test
    void aVerdictIsStoredAsItIsAndABanStoredBeforeVerdictsIsAPendingKickOfGenerationZero() throws IOException {
        Verdict v = new Verdict(false, 7, B, true, List.of("tcp://h:1", "tcp://h:2"));
        assertThat(Verdict.decode(v.encode())).isEqualTo(v);
        assertThat(Verdict.decode(v.done().encode())).isEqualTo(new Verdict(false, 7, B, false, v.addresses()));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("a");
            out.writeShort(1);
            out.writeUTF("tcp://c:1");
        }
        assertThat(Verdict.decode(bytes.toByteArray())).isEqualTo(new Verdict(true, 0, A, true, List.of("tcp://c:1")));

        byte[] trailing = Arrays.copyOf(v.encode(), v.encode().length + 1);
        assertThatThrownBy(() -> Verdict.decode(trailing)).isInstanceOf(IOException.class);
    }

    /** The verdict a node holds after taking {@code first}, then {@code second}. */
    private static Verdict held(Verdict first, Verdict second) {
        Verdict held = first.supersedes(null) ? first : null;
        return second.supersedes(held) ? second : held;
    }
}
