package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.StoredState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Sends into the node loop's input ({@link SendInput}), posted through a loop that is not started and taken here in the
 * input's order: plain posts, not counted by their streams, until the first send of another level; then that send
 * waits behind a fence for the plain ones, and from then on a send waits at its level or at its stream's queued
 * sends' level. Single-threaded.
 */
class SendInputTest {
    private final NodeLoop loop = new NodeLoop(Clock.systemUTC(), null, null, new AtomicLong(), null);
    private final SendInput input = new SendInput(loop, false);
    private final SendRooms rooms =
            new SendRooms(new StoredState(1, List.of(), List.of(), Map.of()), k -> StreamLimits.maxMessages(100));
    private final SendRooms.Room mixed = rooms.room(new StreamKey(NodeId.of("b"), "mixed"));
    private final SendRooms.Room alerts = rooms.room(new StreamKey(NodeId.of("b"), "alerts"));
    private final List<SendCommands.Submit> sent = new ArrayList<>();
    private final List<SendRooms.Room> roomOf = new ArrayList<>();

    private SendCommands.Submit send(SendRooms.Room room, int level) {
        SendCommands.Submit s = new SendCommands.Submit(null, sent.size(), 0, null, null, null, null, 0, 0, false);
        sent.add(s);
        roomOf.add(room);
        input.post(s, room, level);
        return s;
    }

    /** The sends taken, as their numbers, in the input's order; fences run, counted sends leave their rooms. */
    private List<Integer> take() {
        List<Integer> order = new ArrayList<>();
        for (NodeLoop.Command c = loop.input().poll();
                c != null;
                c = loop.input().poll()) {
            if (c instanceof SendCommands.Submit s) {
                int n = sent.indexOf(s);
                if (s.counted) roomOf.get(n).leftInput();
                order.add(n);
            } else {
                c.run(0); // a fence
            }
        }
        return order;
    }

    @Test
    void defaultSendsArePlainPostsNotCountedByTheirStream() {
        for (int i = 0; i < 3; i++) send(mixed, 4);
        assertThat(input.leveled()).isFalse();
        assertThat(sent).noneMatch(s -> s.counted);
        assertThat(mixed.enterInput(0))
                .as("nothing counted in the stream's word")
                .isZero();
        mixed.leftInput();
        assertThat(take()).containsExactly(0, 1, 2);
    }

    @Test
    void theFirstSendOfAnotherLevelWaitsBehindTheSendsPostedPlainly() {
        for (int i = 0; i < 3; i++) send(mixed, 4);
        send(mixed, 7); // the switch: behind a fence, at level 4 while it waits
        send(alerts, 7); // another stream: also held at 4 by the fence
        send(mixed, 0);
        assertThat(input.leveled()).isTrue();
        assertThat(take()).containsExactly(0, 1, 2, 3, 4, 5);
        // the fence ran: levels apply, a stream keeps its queued sends' level
        send(mixed, 0);
        send(mixed, 7);
        send(alerts, 7);
        assertThat(take()).containsExactly(8, 6, 7);
    }

    @Test
    void aNodeWithALaneAtAnotherLevelPostsByLevelFromTheStart() {
        SendInput configured = new SendInput(loop, true);
        SendCommands.Submit low = new SendCommands.Submit(null, 0, 0, null, null, null, null, 0, 0, false);
        SendCommands.Submit high = new SendCommands.Submit(null, 1, 0, null, null, null, null, 0, 0, false);
        configured.post(low, mixed, 0);
        configured.post(high, alerts, 7);
        assertThat(loop.input().poll()).isSameAs(high);
        assertThat(loop.input().poll()).isSameAs(low);
        assertThat(low.counted).isTrue();
    }
}
