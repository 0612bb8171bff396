package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.NodeId;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Events, Bounds: "Waiters: at most EventLimits.MAX_REMOTE_WAITERS (256) other nodes per event; a
 * further node's await fails with EventException." The owner registers exactly 256 remote waiters and answers the
 * 257th node's await at once with a refusal (a DONE notice sent with the await's acknowledgment).
 */
class RemoteWaiterBoundTest {
    private final FakeHost host = new FakeHost();
    private final Events events = new Events(host, EventSettings.DEFAULTS);

    private FakeDelivery await(String from, EventHandle h) {
        InboundMessage m =
                new InboundMessage(1, 0, EventWire.HEADERS, EventWire.await(h), false, 1, FakeDelivery.EPOCH);
        FakeDelivery d = new FakeDelivery(new StreamKey(NodeId.of(from), EventWire.LANE), m, () -> host.now);
        events.consume(d);
        host.runPosted();
        return d;
    }

    @Test
    void theOwnerKeepsAtMostTheBoundOfRemoteWaitersAndRefusesTheNextNodeAtOnce() {
        EventHandle h = events.create("job");
        host.runPosted();
        for (int i = 0; i < EventLimits.MAX_REMOTE_WAITERS; i++) {
            FakeDelivery d = await("w" + i, h);
            assertThat(d.settled).as("waiter %d registered", i).isEqualTo("ack");
            assertThat(d.effect).isNull();
        }
        assertThat(events.stats().remoteWaiters()).isEqualTo(EventLimits.MAX_REMOTE_WAITERS);

        FakeDelivery refused = await("one-too-many", h);
        assertThat(refused.settled).isEqualTo("ackWith"); // answered at once with the refusal notice
        assertThat(refused.effect).isNotNull();
        assertThat(events.stats().remoteWaiters()).isEqualTo(EventLimits.MAX_REMOTE_WAITERS);
    }
}
