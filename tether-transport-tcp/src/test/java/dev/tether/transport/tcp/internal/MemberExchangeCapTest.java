package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on members learnt from member lists (docs/TCP.md, "Member lists"; docs/PROTOCOL.md, "Limits"): at
 * most {@value MemberExchange#MAX_LEARNED} are remembered and reported discovered; every further one is reported as
 * invalid input from its sender, naming the limit.
 */
class MemberExchangeCapTest {
    private static final NodeId SELF = NodeId.of("a");
    private static final NodeId PEER = NodeId.of("p");

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<NodeId> discovered = new CopyOnWriteArrayList<>();
    private final List<String> invalid = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void membersBeyondTheCapAreReportedInvalidAndNotLearnt() {
        MemberExchange exchange = new MemberExchange(SELF, List::of, timers, Duration.ofHours(1));
        exchange.attach(recording());
        Connection from = new Connection(new EmbeddedChannel(), false, null, null);
        from.peer = PEER;
        int records = 0;
        for (int list = 0; list < 5; list++) {
            List<Members.Entry> members = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                members.add(new Members.Entry(NodeId.of("m-" + list + "-" + i), List.of("10.0.0.1:" + (1000 + i))));
            }
            for (byte[] body : Members.encode(new Members.Entry(PEER, List.of()), members)) {
                exchange.received(from, body, List.of(from));
                records++;
            }
        }
        assertThat(records).as("MEMBERS records received").isGreaterThanOrEqualTo(5);

        assertThat(discovered).hasSize(MemberExchange.MAX_LEARNED).doesNotHaveDuplicates();
        assertThat(discovered).first().isEqualTo(NodeId.of("m-0-0"));
        assertThat(discovered).last().isEqualTo(NodeId.of("m-4-95"));
        assertThat(invalid).hasSize(5_000 - MemberExchange.MAX_LEARNED);
        assertThat(invalid).first().isEqualTo("more than 4096 members learnt; m-4-96 dropped");
        assertThat(invalid).allSatisfy(r -> assertThat(r).startsWith("more than 4096 members learnt; "));
        assertThat(exchange.invalidInput()).isEqualTo(5_000 - MemberExchange.MAX_LEARNED);
    }

    private Discovery.Listener recording() {
        return new Discovery.Listener() {
            @Override
            public void onDiscovered(NodeId member, List<String> addresses) {
                discovered.add(member);
            }

            @Override
            public void onLost(NodeId member) {
                throw new AssertionError("lost " + member);
            }

            @Override
            public void onInvalid(NodeId source, String reason) {
                invalid.add(reason);
            }
        };
    }
}
