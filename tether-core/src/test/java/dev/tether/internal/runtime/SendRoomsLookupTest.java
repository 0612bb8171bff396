package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.StreamLimits;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.StoredState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A send finds its stream's room by peer and lane ({@link SendRooms#room(NodeId, String)}, no key object per send):
 * the one room of that stream whichever way it is looked up first, made once, and another stream's room for another
 * lane or peer. A room counts its stream's sends, so two rooms for one stream would let it exceed its limit.
 */
class SendRoomsLookupTest {
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private final SendRooms rooms =
            new SendRooms(new StoredState(1, List.of(), List.of(), Map.of()), k -> StreamLimits.maxMessages(100));

    @Test
    void byPeerAndLaneIsTheStreamsOneRoom() {
        SendRooms.Room first = rooms.room(B, "orders");
        assertThat(rooms.room(B, "orders")).isSameAs(first);
        assertThat(rooms.room(new StreamKey(B, "orders"))).isSameAs(first);
        assertThat(first.key).isEqualTo(new StreamKey(B, "orders"));
    }

    @Test
    void aRoomMadeByKeyIsFoundByPeerAndLane() {
        SendRooms.Room byKey = rooms.room(new StreamKey(B, "orders"));
        assertThat(rooms.room(B, "orders")).isSameAs(byKey);
    }

    @Test
    void otherLanesAndPeersHaveTheirOwnRooms() {
        SendRooms.Room orders = rooms.room(B, "orders");
        SendRooms.Room alerts = rooms.room(B, "alerts");
        SendRooms.Room toC = rooms.room(C, "orders");
        assertThat(alerts).isNotSameAs(orders);
        assertThat(toC).isNotSameAs(orders).isNotSameAs(alerts);
        assertThat(alerts.key).isEqualTo(new StreamKey(B, "alerts"));
        assertThat(toC.key).isEqualTo(new StreamKey(C, "orders"));
        assertThat(rooms.room(C, "orders")).isSameAs(toC);
    }
}
