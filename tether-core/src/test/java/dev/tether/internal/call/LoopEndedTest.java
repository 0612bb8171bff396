package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.EventHandle;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A call that passed its layer's running check just before the node loop ended posts its work to a loop that refuses
 * it: the call's future must fail with {@link NodeClosedException} then, not wait for good (the race of
 * {@code ShutdownRaceTest}'s calls, made deterministic).
 */
class LoopEndedTest {
    private final FakeHost host = new FakeHost();

    @Test
    void awaitingAnotherNodesEventFailsWhenTheLoopHasEnded() {
        Events events = new Events(host, EventSettings.DEFAULTS);
        host.runPosted();
        host.loopEnded = true;
        assertClosed(events.await(new EventHandle(NodeId.of("b"), "job", 1)));
    }

    @Test
    void awaitingAndTriggeringAnOwnEventFailWhenTheLoopHasEnded() {
        Events events = new Events(host, EventSettings.DEFAULTS);
        host.runPosted();
        EventHandle own = events.create("job"); // its registration never runs: this host stores nothing
        host.loopEnded = true;
        assertClosed(events.await(own));
        assertClosed(events.trigger(own, new byte[0]));
    }

    @Test
    void awaitingAPeersHandlerFailsWhenTheLoopHasEnded() {
        CallLayer layer = new CallLayer(host);
        host.loopEnded = true;
        assertClosed(layer.awaitHandler(NodeId.of("b"), "orders", Duration.ofMinutes(5)));
    }

    private static void assertClosed(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        assertThat(f.handle((v, e) -> e).join()).isInstanceOf(NodeClosedException.class);
    }
}
