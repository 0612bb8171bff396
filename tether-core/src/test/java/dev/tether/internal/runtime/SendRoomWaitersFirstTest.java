package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.spi.StoredState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Room freed in a full stream belongs to the senders already blocked on it (OverflowPolicy.BLOCK: "waits for room
 * behind the senders that waited first"; docs/MESSAGING.md, "Backpressure"): a send that does not wait (REJECT,
 * DROP_NEWEST, {@code offer}, a routed copy) or arrives later never takes it ahead of them, however quickly it comes
 * after the release. Else a steady stream of such sends could starve a blocked sender until its wait ends (audit8a
 * M05: the check survived BlockingSendTest, whose offers rarely come before the woken waiter).
 */
class SendRoomWaitersFirstTest {
    private static final int ROUNDS = 50;

    private final SendRooms rooms =
            new SendRooms(new StoredState(1, List.of(), List.of(), Map.of()), k -> StreamLimits.maxMessages(1));

    private static void awaitWaiting(SendRooms.Room room) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (room.waiting() != 1) {
            if (System.nanoTime() > deadline) throw new AssertionError("the sender never waited: " + room.waiting());
            Thread.onSpinWait();
        }
    }

    @Test
    void roomFreedWhileASenderWaitsIsTheWaitersNotThatOfASendThatComesRightAfter() throws Exception {
        SendRooms.Room room = rooms.room(NodeId.of("b"), "orders");
        assertThat(room.tryTake()).isTrue(); // the stream is full: 1 of 1
        for (int round = 0; round < ROUNDS; round++) {
            CompletableFuture<Boolean> waiter = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    waiter.complete(room.take(TimeUnit.SECONDS.toNanos(30)));
                } catch (Throwable e) {
                    waiter.completeExceptionally(e);
                }
            });
            t.start();
            awaitWaiting(room);
            room.giveBack(); // the one message held leaves: room for one
            boolean barged = room.tryTake();
            if (barged) room.giveBack(); // so the waiter ends at once and the failure says why
            assertThat(barged)
                    .as("round %d: a send that does not wait, right after the release, took the waiter's room", round)
                    .isFalse();
            assertThat(waiter.get(30, TimeUnit.SECONDS))
                    .as("round %d: the waiter gets the room", round)
                    .isTrue();
            assertThat(room.held())
                    .as("round %d: exactly the waiter's message held", round)
                    .isEqualTo(1);
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
