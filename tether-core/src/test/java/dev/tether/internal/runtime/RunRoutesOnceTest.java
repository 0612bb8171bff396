package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AckMode;
import dev.tether.NodeId;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A delivery run routes each of its messages with its own memo ({@link RouteMemo}): a router finds what depends on
 * the stream once per run (the fake counts its lookups: one per run, however long), and every message is still
 * routed (the router is asked per message, so per-message rules keep applying). Runs on one thread: the consumer
 * acknowledges each delivery where it is handed out.
 */
class RunRoutesOnceTest {
    private static final NodeId PEER = NodeId.of("p");

    /** Counts the router's calls and the lookups it makes when the run's memo is still empty. */
    private static final class CountingRouter implements Router {
        int plainRoutes;
        int memoRoutes;
        int lookups;
        final Map<RouteMemo, List<Long>> routedByMemo = new IdentityHashMap<>();

        @Override
        public MessageConsumer route(StreamKey key, InboundMessage m) {
            plainRoutes++;
            return ACKING;
        }

        @Override
        public MessageConsumer route(StreamKey key, InboundMessage m, RouteMemo memo) {
            memoRoutes++;
            if (memo.remembered() == null) {
                lookups++;
                memo.remember(key);
            }
            assertThat(memo.remembered()).isEqualTo(key); // a memo never travels to another stream's run
            routedByMemo.computeIfAbsent(memo, x -> new ArrayList<>()).add(m.seq());
            return ACKING;
        }
    }

    /** Acknowledges every delivery on the thread that hands it out. */
    private static final MessageConsumer ACKING = new MessageConsumer() {
        @Override
        public java.util.concurrent.Executor executor() {
            return ANY_THREAD;
        }

        @Override
        public void consume(RoutedDelivery d) {
            assertThat(d.ack()).isTrue();
        }
    };

    @Test
    void eachRunLooksUpItsStreamOnceAndRoutesEveryMessage() {
        NodeLoop loop =
                new NodeLoop(Clock.systemUTC(), null, null, new AtomicLong(), null); // never started: posts wait
        Dispatcher dispatcher = new Dispatcher(
                null, AckMode.MANUAL, null, loop, Clock.systemUTC(), new IdempotencyTable(60_000, 100), null);
        CountingRouter router = new CountingRouter();
        dispatcher.router(router);

        StreamKey a = new StreamKey(PEER, "_a.alice");
        StreamKey b = new StreamKey(PEER, "_a.bob");
        dispatcher.deliver(a, 1, messages(1, 7));
        dispatcher.deliver(b, 1, messages(1, 3));
        dispatcher.deliver(a, 2, messages(8, 9));

        assertThat(router.plainRoutes).as("routed without the run's memo").isZero();
        assertThat(router.memoRoutes).as("every message routed").isEqualTo(7 + 3 + 2);
        assertThat(router.lookups).as("one lookup per run").isEqualTo(3);
        assertThat(router.routedByMemo.values())
                .containsExactlyInAnyOrder(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), List.of(1L, 2L, 3L), List.of(8L, 9L));
    }

    private static List<InboundMessage> messages(long from, long to) {
        List<InboundMessage> l = new ArrayList<>();
        for (long s = from; s <= to; s++) l.add(new InboundMessage(s, 0, Map.of(), new byte[] {1}, false, 1, 1));
        return l;
    }
}
