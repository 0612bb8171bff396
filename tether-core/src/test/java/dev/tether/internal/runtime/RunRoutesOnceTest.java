package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AckMode;
import dev.tether.NodeId;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.InboundRef;
import dev.tether.internal.engine.StreamKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A delivery run routes each of its messages with its stream's memo ({@link RouteMemo}; without the engine's stream at
 * hand, a memo of its own): a router finds what depends on the stream once per stream, once per run without it (the fake counts its lookups), and every message is still
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

    /**
     * Runs delivered with the engine's stream at hand share the stream's memo: the router looks each stream up once,
     * however many runs follow (a thousand streams with a few messages pending each make a run per few messages).
     */
    @Test
    void runsOfOneStreamShareItsMemoAcrossRuns() {
        NodeLoop loop = new NodeLoop(Clock.systemUTC(), null, null, new AtomicLong(), null);
        Dispatcher dispatcher = new Dispatcher(
                null, AckMode.MANUAL, null, loop, Clock.systemUTC(), new IdempotencyTable(60_000, 100), null);
        CountingRouter router = new CountingRouter();
        dispatcher.router(router);

        FakeStream a = new FakeStream(new StreamKey(PEER, "_a.alice"));
        FakeStream b = new FakeStream(new StreamKey(PEER, "_a.bob"));
        dispatcher.deliver(a, 1, messages(1, 2));
        dispatcher.deliver(b, 1, messages(1, 1));
        dispatcher.deliver(a, 1, messages(3, 3));
        dispatcher.deliver(b, 1, messages(2, 4));
        dispatcher.deliver(a, 2, messages(4, 5));

        assertThat(router.memoRoutes).as("every message routed").isEqualTo(2 + 1 + 1 + 3 + 2);
        assertThat(router.lookups).as("one lookup per stream").isEqualTo(2);
        assertThat(router.routedByMemo)
                .as("each stream's runs routed with its own memo, the one attached to it")
                .containsOnlyKeys((RouteMemo) a.attachment(), (RouteMemo) b.attachment());
        assertThat(router.routedByMemo.get((RouteMemo) a.attachment())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(router.routedByMemo.get((RouteMemo) b.attachment())).containsExactly(1L, 2L, 3L, 4L);
    }

    /** An engine's inbound stream as the dispatcher gets it: its key and what the runtime attached. */
    private static final class FakeStream implements InboundRef {
        private final StreamKey key;
        private Object attachment;

        FakeStream(StreamKey key) {
            this.key = key;
        }

        @Override
        public StreamKey key() {
            return key;
        }

        @Override
        public Object attachment() {
            return attachment;
        }

        @Override
        public void attach(Object o) {
            attachment = o;
        }
    }

    private static List<InboundMessage> messages(long from, long to) {
        List<InboundMessage> l = new ArrayList<>();
        for (long s = from; s <= to; s++) l.add(new InboundMessage(s, 0, Map.of(), new byte[] {1}, false, 1, 1));
        return l;
    }
}
