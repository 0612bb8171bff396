package dev.tether.internal.runtime;

import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads, when a node starts, the index of every message its channel logs hold (size and publish time, {@link
 * Store#readChannelIndex}), so that retention by bytes and age goes on where the previous process stopped.
 */
final class RetainedIndex {
    private static final int PAGE = 4096;

    private RetainedIndex() {}

    static Map<String, List<ChannelEntry>> read(Store store, StoredChannels stored) {
        Map<String, List<ChannelEntry>> index = new LinkedHashMap<>();
        for (ChannelLog log : stored.logs()) {
            if (log.retainedMessages() == 0) continue;
            List<ChannelEntry> entries = new ArrayList<>();
            long from = log.trimmedSeq() + 1;
            while (true) {
                List<ChannelEntry> page = store.readChannelIndex(log.channel(), from, PAGE);
                entries.addAll(page);
                if (page.size() < PAGE) break;
                from = page.get(page.size() - 1).seq() + 1;
            }
            index.put(log.channel(), entries);
        }
        return index;
    }
}
