package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Handler discovery: "State, not a log. At most one advertisement per peer is unacknowledged at a
 * time: changes made meanwhile are folded into the next one, sent when that one is settled, so registering a thousand
 * handlers in a loop sends a few advertisements, not a thousand."
 */
class AdvertisementInFlightTest {
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host, new Utf8Codec());

    @Test
    void changesWhileAnAdvertisementIsUnacknowledgedAreFoldedIntoOneSentWhenItSettles() {
        NodeId peer = NodeId.of("p");
        layer.handle("h0", HandlerOptions.defaults(), c -> null);
        layer.onEvent(new TetherEvent.PeerConnected(peer));
        host.runPosted();
        assertThat(host.sent).hasSize(1);

        for (int i = 1; i <= 100; i++) {
            layer.handle("h" + i, HandlerOptions.defaults(), c -> null);
            host.runPosted();
        }
        assertThat(host.sent).as("one advertisement unacknowledged at a time").hasSize(1);

        host.receipts.get(0).complete(Outcome.PROCESSED);
        host.runPosted();
        assertThat(host.sent).as("the changes folded into the next one").hasSize(2);
    }
}
