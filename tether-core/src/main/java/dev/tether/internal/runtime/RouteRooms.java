package dev.tether.internal.runtime;

import dev.tether.Lanes;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The room a routed message's copies and forward reserved in their target streams (docs/BUS-DESIGN.md, section 4.3,
 * "Forwarding keeps backpressure"), taken on the routing thread before the message is handed to its consumer, as a
 * send's room is taken before it is posted ({@link SendRooms}). Once the settlement that ends the route was handed to
 * the engine (with its effects, or without them), the reservations become the engine's to count with the next store
 * batch, which holds those effects ({@link SendRooms#enterAtNextBatch}); the end of that turn sets each room to what
 * the engine holds, so the room of a copy that was not stored (a retried attempt's) is released then. A route that
 * never reached its message gives them back. Replies, key writes, publishes and volatile copies reserve nothing:
 * replies keep their exemption, a channel has its retention, volatile lanes the node's volatile memory budget.
 * Thread-safe; handed over or given back once.
 */
public final class RouteRooms {
    private final SendRooms rooms;
    private final List<SendRooms.Room> taken;
    private final String refusal;
    private final AtomicBoolean done = new AtomicBoolean();

    private RouteRooms(SendRooms rooms, List<SendRooms.Room> taken, String refusal) {
        this.rooms = rooms;
        this.taken = taken;
        this.refusal = refusal;
    }

    /**
     * Reserves one message's room in the stream of each message effect of {@code effects} (not publishes, key or
     * channel writes), all or none: if one is full, nothing is kept and {@link #refusal} says which.
     */
    static RouteRooms reserve(SendRooms rooms, List<Effect> effects) {
        List<SendRooms.Room> taken = new ArrayList<>(effects.size());
        for (Effect e : effects) {
            if (e.to() == null || e.isLocalWrite() || Lanes.isVolatile(e.lane())) continue;
            SendRooms.Room r = rooms.room(new StreamKey(e.to(), e.lane()));
            if (!r.tryTake()) {
                for (SendRooms.Room t : taken) t.giveBack();
                return new RouteRooms(rooms, List.of(), SendAdmission.full(r, 0));
            }
            taken.add(r);
        }
        return new RouteRooms(rooms, taken, null);
    }

    /** Why the route found a target full (nothing reserved then), or null: every target's room is reserved. */
    public String refusal() {
        return refusal;
    }

    /** Node thread: the settlement ending the route was handed to the engine; the next batch holds its effects. */
    void handedToEngine() {
        if (taken.isEmpty() || done.getAndSet(true)) return;
        rooms.enterAtNextBatch(taken);
    }

    /** The route never reached its message (it expired first): the reservations are given back. Any thread. */
    void giveBack() {
        if (taken.isEmpty() || done.getAndSet(true)) return;
        for (SendRooms.Room r : taken) r.giveBack();
    }
}
