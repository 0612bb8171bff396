package dev.tether.internal.engine;

import dev.tether.Channels;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the page that {@link EngineOutput#load} asks for: an outbound stream's outbox, or, for a reader of a shared
 * log (a channel lane), the channel's log, whose rows the stream sees as messages on its lane. Called by whoever
 * performs {@code load} (the store writer's thread, a simulator), with the store's own threading rules.
 */
public final class StreamPages {
    private StreamPages() {}

    /** Up to {@code max} messages of stream {@code key} from {@code fromSeq}, in order. */
    public static List<StoredMessage> read(Store store, StreamKey key, long fromSeq, int max) {
        if (!Channels.isChannelLane(key.lane())) return store.readOutbox(key.peer(), key.lane(), fromSeq, max);
        List<ChannelMessage> rows = store.readChannel(Channels.channelOf(key.lane()), fromSeq, max);
        List<StoredMessage> page = new ArrayList<>(rows.size());
        for (ChannelMessage m : rows) {
            page.add(new StoredMessage(
                    key.peer(), key.lane(), m.seq(), m.expiresAtMillis(), m.headers(), m.payload(), m.checksum()));
        }
        return page;
    }
}
