package dev.tether.transport.nats;

import static dev.tether.transport.nats.NatsNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.EventHandle;
import dev.tether.EventPoisonedException;
import dev.tether.StaleEventException;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Distributed events between three nodes over a real nats-server: owner, waiter and completer on different nodes. */
class NatsEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void eventsOwnedByOneNodeAwaitedOnASecondAndCompletedFromAThird() throws Exception {
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("events", "a", "b", "c")) {
            TetherNode a = c.start("a", List.of(server.url()));
            TetherNode b = c.start("b", List.of(server.url()));
            TetherNode cc = c.start("c", List.of(server.url()));
            int n = 100;
            List<EventHandle> handles = new ArrayList<>();
            List<CompletableFuture<byte[]>> waits = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                handles.add(a.createEvent("e" + i));
                waits.add(b.await(handles.get(i)));
            }
            Await.until(WAIT, () -> a.eventStats().remoteWaiters() == n, () -> "registered: " + a.eventStats());
            for (int i = 0; i < n; i++) {
                if (i % 4 == 0) cc.poison(handles.get(i), "p" + i);
                else cc.trigger(handles.get(i), utf8("t" + i));
            }
            for (int i = 0; i < n; i++) {
                if (i % 4 == 0) {
                    assertThat(failure(waits.get(i))).isInstanceOf(EventPoisonedException.class);
                } else {
                    byte[] got = waits.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("t" + i);
                }
            }
            EventHandle again = a.createEvent("e1");
            assertThat(failure(b.await(handles.get(1)))).isInstanceOf(StaleEventException.class);
            CompletableFuture<byte[]> next = b.await(again);
            cc.trigger(again, utf8("second"));
            assertThat(new String(next.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8))
                    .isEqualTo("second");
        }
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, the future succeeded");
    }
}
