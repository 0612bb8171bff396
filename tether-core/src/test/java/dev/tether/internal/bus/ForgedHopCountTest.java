package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Match;
import dev.tether.bus.Rule;
import dev.tether.bus.TextPattern;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A peer that does not follow the protocol forges the reserved hop count ({@value RouteEffects#HOPS}) of a message
 * that a routing rule of b copies on: b dead-letters it with a reason naming the rule and the header, reports the
 * rule error, and goes on serving (the next message of the same stream is copied and delivered). The forger is node
 * a sending through its runtime's pattern-layer door, which lets reserved headers through as the wire does; its
 * frames are real ones.
 */
class ForgedHopCountTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final long WAIT_SECONDS = 30;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final BlockingQueue<TetherEvent> eventsAtB = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> handledAtB = new LinkedBlockingQueue<>();
    /** Events of b that {@link #next} passed over, in order. */
    private final List<TetherEvent> passed = new ArrayList<>();

    @Test
    void anInvalidHopCountIsDeadLetteredWithItsReasonAndTheNodeGoesOn() throws Exception {
        try (TetherNode b = node(B, A);
                TetherNode a = node(A, B)) {
            BlockingQueue<String> audited = new LinkedBlockingQueue<>();
            Tether.bus(b).endpoint("audit", d -> audited.add(text(d.payloadBytes())));
            Tether.bus(b)
                    .rules()
                    .add(Rule.named("audit-orders")
                            .match(Match.any().lane(TextPattern.exact("orders")))
                            .action(Action.copy(Address.of(B, "audit"))));

            for (String bad : List.of("x", "0", "9")) {
                Outcome o = ((RealTetherNode) a)
                        .runtime()
                        .submit(B, "orders", Map.of(RouteEffects.HOPS, bad), utf8("forged"), 0, null)
                        .processed()
                        .get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(o).as("':n' = '%s'", bad).isEqualTo(Outcome.DEAD_LETTERED);
                String reason = "rule audit-orders: invalid hop count header ':n'";
                assertThat(next(TetherEvent.DeadLettered.class).reason()).isEqualTo(reason);
            }
            assertThat(next(TetherEvent.RuleError.class)) // the first one told, the others may be held back
                    .satisfies(e -> assertThat(e.rule()).isEqualTo("audit-orders"))
                    .satisfies(e -> assertThat(e.problem())
                            .isEqualTo("invalid hop count header ':n'; the message was dead-lettered"));
            assertThat(a.send(B, "orders", utf8("fine")).processed().get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isEqualTo(Outcome.PROCESSED);
            assertThat(handledAtB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("fine");
            assertThat(audited.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("fine");
            assertThat(handledAtB).isEmpty(); // nothing forged reached the handler
            assertThat(audited).isEmpty();
        }
    }

    /** The first event of {@code type} b raised not taken yet, waiting for it; others are kept for later. */
    private <T extends TetherEvent> T next(Class<T> type) throws InterruptedException {
        for (TetherEvent e : passed) {
            if (type.isInstance(e)) {
                passed.remove(e);
                return type.cast(e);
            }
        }
        while (true) {
            TetherEvent e = eventsAtB.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (e == null)
                throw new AssertionError("no " + type.getSimpleName() + " at b within " + WAIT_SECONDS + " s");
            if (type.isInstance(e)) return type.cast(e);
            passed.add(e);
        }
    }

    private TetherNode node(NodeId id, NodeId peer) {
        return Tether.start(TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .listener(e -> {
                    if (id.equals(B)) eventsAtB.add(e);
                })
                .handler(d -> {
                    if (id.equals(B)) handledAtB.add(text(d.payloadBytes()));
                })
                .build());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
