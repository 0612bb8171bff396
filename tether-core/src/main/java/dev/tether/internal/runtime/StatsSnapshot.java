package dev.tether.internal.runtime;

import dev.tether.CallStats;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.StreamStats;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineCounters;
import java.util.List;

/** A node's statistics as one {@link NodeStats}, summed from its streams' and counters' values; node thread only. */
final class StatsSnapshot {
    private StatsSnapshot() {}

    static NodeStats take(
            NodeId id,
            long epoch,
            NodeLoop loop,
            SendRooms rooms,
            ChannelPort channels,
            TransportEvents transportEvents,
            Dispatcher dispatcher,
            CallStats calls,
            IdempotencyTable idempotency) {
        Engine e = loop.engine();
        EngineCounters counters = e.counters();
        List<StreamStats> streams = rooms.withCounters(e.streamStats());
        long[] overflow = rooms.totals();
        long[] publishes = channels.publishTotals();
        long queued = 0, inFlight = 0, delivered = 0, redelivered = 0, dups = 0, dead = 0, expired = 0;
        for (StreamStats s : streams) {
            queued += s.queued();
            inFlight += s.inFlight();
            delivered += s.delivered();
            redelivered += s.redelivered();
            dups += s.duplicatesDropped();
            dead += s.deadLettered();
            expired += s.expired();
        }
        return new NodeStats(
                id,
                epoch,
                e.connectedPeers(),
                queued,
                inFlight,
                delivered,
                redelivered,
                dups,
                dead,
                expired,
                counters.protocolErrors(),
                counters.connectionsRejected(),
                transportEvents.kicked.count(),
                transportEvents.shed.get(),
                transportEvents.fencedFrames(),
                counters.framesIgnored(),
                counters.storeFailures(),
                counters.checksumMismatches(),
                counters.unsendableMessages(),
                loop.callbackErrors().count(),
                dispatcher.handlerErrors.get(),
                overflow[0],
                overflow[1],
                (int) overflow[2],
                publishes[0],
                (int) publishes[1],
                e.history().recorded(),
                e.history().entries(),
                streams,
                calls,
                idempotency.stats(),
                e.deadLetters().stats());
    }
}
