package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Different prefixes must be separate deployments, so a prefix that nests with another is refused. Prefixes {@code P}
 * and {@code P.to} would share subjects: {@code P.to.presence.m} is the second's presence subject of its node m and
 * the first's inbox of a node named {@code presence}, and the first's node m may publish on it ({@code P.to.*.m}),
 * so it could announce as the second's m (audit 7c, M2). Every such pair has a prefix ending with the token
 * {@code to}.
 */
class NestedPrefixTest {
    private static final NodeId M = NodeId.of("m");

    @Test
    void aPrefixEndingWithTheInboxTokenIsRefusedEverywhereAPrefixIsGiven() {
        for (String prefix : List.of("tether.to", "to", "a.b.to")) {
            assertThatThrownBy(() -> NatsTransport.builder().prefix(prefix))
                    .as(prefix)
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("'" + prefix + "'")
                    .hasMessageContaining("must not nest");
            assertThatThrownBy(() -> NatsAuthorization.publishSubjects(prefix, M))
                    .as(prefix)
                    .isInstanceOf(InvalidConfigException.class);
        }
    }

    @Test
    void prefixesThatCannotNestStayValid() {
        for (String prefix : List.of("tether", "to.tether", "tether.top", "tether.To", "tether.presence", "tether.t")) {
            NatsTransport.builder().prefix(prefix);
            assertThat(NatsAuthorization.publishSubjects(prefix, M))
                    .as(prefix)
                    .containsExactlyInAnyOrder(prefix + ".presence.m", prefix + ".to.*.m");
        }
    }
}
