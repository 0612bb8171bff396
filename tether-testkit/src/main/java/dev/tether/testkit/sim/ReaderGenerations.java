package dev.tether.testkit.sim;

import dev.tether.Channels;
import dev.tether.ProtocolException;
import dev.tether.internal.engine.Frame;
import dev.tether.internal.engine.FrameCodec;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The simulation's record of the join generation each channel message reached its reader in ({@link
 * HistoryEvent.DeliveredInGeneration}). A reader's generation is counted as {@link ChannelRules} counts it, from the
 * reader rows its publisher's store committed: each first row after none is a join and starts the next generation. A
 * publisher's reader stream opens only once the row of its join is stored, and a removal drops the stream at once, so
 * a DATA frame the publisher transmits on a channel lane comes from the generation joined last: each message it carries
 * is tagged with that generation as it is transmitted, and the tag stays with the message until it is transmitted
 * again. A message's delivery then reports the generation of its last transmission. The generations of a reader that
 * joins again at the log's end own disjoint sequence numbers, so a run handed out before the leave keeps its tag.
 *
 * <p>Looks at frames only on channel lanes and draws nothing from the run's random sequence: a seed's run is the one
 * it was without it. Not thread-safe.
 */
final class ReaderGenerations {
    /** A reader of a publisher's log of a channel lane. */
    private record Reader(String publisher, String reader, String lane) {}

    private record Tag(Reader reader, long seq) {}

    /** Per reader: its joins so far (its generation now), and whether its last committed row makes it one. */
    private static final class Joins {
        int generation;
        boolean active;
    }

    private final Map<Reader, Joins> joins = new HashMap<>();
    private final Map<Tag, Integer> tags = new HashMap<>();

    /** {@code publisher}'s store committed the row of {@code reader} on {@code lane}: cursor, or -1 if removed. */
    void rowCommitted(String publisher, String reader, String lane, long cursor) {
        Joins j = joins.computeIfAbsent(new Reader(publisher, reader, lane), k -> new Joins());
        if (cursor < 0) {
            j.active = false;
        } else if (!j.active) {
            j.active = true;
            j.generation++;
        }
    }

    /** {@code publisher} transmitted {@code frame} to {@code reader}: a DATA frame on a channel lane is tagged. */
    void transmitted(String publisher, String reader, byte[] frame) {
        if (frame[2] != Frame.DATA) return; // after the magic and the version
        Frame f;
        try {
            f = FrameCodec.decode(ByteBuffer.wrap(frame));
        } catch (ProtocolException e) {
            return; // the receiver refuses it
        }
        if (!(f instanceof Frame.Data d) || !Channels.isChannelLane(d.lane())) return;
        Reader r = new Reader(publisher, reader, d.lane());
        Joins j = joins.get(r);
        int generation = j == null ? 0 : j.generation;
        for (int i = 0; i < d.messages().size(); i++) tags.put(new Tag(r, d.firstSeq() + i), generation);
    }

    /**
     * Records delivery {@code d} into {@code history}, a channel message's with the generation it reached its reader in
     * right before it ({@link HistoryEvent.DeliveredInGeneration}). If {@code twice} says so (asked only of a message
     * processed successfully in a generation after the first), the delivery is recorded twice: {@link
     * Simulation.Sabotage#CHANNEL_TWICE}, a duplicate in one generation.
     */
    void delivered(HistoryEvent.Delivered d, BooleanSupplier twice, Consumer<HistoryEvent> history) {
        if (!Channels.isChannelLane(d.lane())) {
            history.accept(d);
            return;
        }
        int g = generation(d.sender(), d.receiver(), d.lane(), d.seq());
        int times = d.ok() && g > 1 && twice.getAsBoolean() ? 2 : 1;
        for (int k = 0; k < times; k++) {
            history.accept(
                    new HistoryEvent.DeliveredInGeneration(d.time(), d.receiver(), d.sender(), d.lane(), d.seq(), g));
            history.accept(d);
        }
    }

    /** The generation message {@code seq} of {@code publisher}'s log on {@code lane} last went to {@code reader} in. */
    int generation(String publisher, String reader, String lane, long seq) {
        return tags.getOrDefault(new Tag(new Reader(publisher, reader, lane), seq), 0);
    }
}
