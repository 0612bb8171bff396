package dev.tether.store.memory;

import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.internal.util.SeqRing;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.WriteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The channel part of {@link InMemoryStore} (Store rules 16-21): logs held once per channel, readers as cursors,
 * memberships. Not thread-safe: the store's lock guards it.
 */
final class InMemoryChannels {
    /** A channel log: holds exactly {@code trimmedSeq+1..lastSeq}. */
    private static final class Log {
        long lastSeq;
        long trimmedSeq;
        long bytes;
        final SeqRing<ChannelMessage> messages = new SeqRing<>();
        final Map<NodeId, Long> readers = new TreeMap<>(); // rule 21: sorted by node id

        Log() {
            messages.resetTo(1);
        }

        Log copy() {
            Log c = new Log();
            c.lastSeq = lastSeq;
            c.trimmedSeq = trimmedSeq;
            c.bytes = bytes;
            c.messages.resetTo(trimmedSeq + 1);
            for (long seq = trimmedSeq + 1; seq <= lastSeq; seq++) c.messages.add(seq, messages.get(seq));
            c.readers.putAll(readers);
            return c;
        }
    }

    private final Map<String, Log> logs = new TreeMap<>(); // rule 21: sorted by channel
    private final Map<String, ChannelRole> memberships = new TreeMap<>();

    InMemoryChannels() {}

    /** A copy of exactly this state: what a crash leaves. */
    InMemoryChannels copy() {
        InMemoryChannels c = new InMemoryChannels();
        logs.forEach((k, l) -> c.logs.put(k, l.copy()));
        c.memberships.putAll(memberships);
        return c;
    }

    /** Checks the channel writes of {@code batch} against the state, so that applying them cannot fail. */
    void validate(WriteBatch batch) {
        Map<String, Long> lastSeqs = new HashMap<>();
        for (ChannelMessage m : batch.publishes()) {
            String channel = Objects.requireNonNull(m.channel(), "channel");
            Objects.requireNonNull(m.payload(), "payload");
            long last = lastSeqs.computeIfAbsent(channel, this::lastSeq);
            if (m.seq() != last + 1) {
                throw new StoreException("publish of " + channel + "#" + m.seq()
                        + (m.seq() <= last ? " reuses a sequence number" : " leaves a gap") + " (last published is "
                        + last + ")");
            }
            lastSeqs.put(channel, m.seq());
        }
        for (WriteBatch.ChannelTrim t : batch.channelTrims()) {
            String channel = Objects.requireNonNull(t.channel(), "channel");
            long last = lastSeqs.getOrDefault(channel, lastSeq(channel));
            if (t.upToSeq() > last) {
                throw new StoreException("trim of channel " + channel + " up to " + t.upToSeq()
                        + " goes beyond the last published sequence number " + last);
            }
        }
        for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
            Objects.requireNonNull(u.channel(), "channel");
            Objects.requireNonNull(u.reader(), "reader");
        }
        batch.membershipUpdates().forEach(u -> Objects.requireNonNull(u.channel(), "channel"));
    }

    /** Applies the channel writes of a validated batch, in the order of rule 19. */
    void apply(WriteBatch batch) {
        for (ChannelMessage m : batch.publishes()) {
            Log log = logs.computeIfAbsent(m.channel(), k -> new Log());
            log.messages.add(m.seq(), m);
            log.lastSeq = m.seq();
            log.bytes += m.payload().length;
        }
        for (WriteBatch.ChannelTrim t : batch.channelTrims()) {
            Log log = logs.get(t.channel());
            if (log == null || t.upToSeq() <= log.trimmedSeq) continue;
            for (long seq = log.trimmedSeq + 1; seq <= t.upToSeq(); seq++) {
                log.bytes -= log.messages.get(seq).payload().length;
            }
            log.messages.removeUpTo(t.upToSeq());
            log.trimmedSeq = t.upToSeq();
        }
        for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
            if (u.removed()) {
                Log log = logs.get(u.channel());
                if (log != null) log.readers.remove(u.reader());
            } else {
                logs.computeIfAbsent(u.channel(), k -> new Log()).readers.put(u.reader(), u.ackedSeq());
            }
        }
        for (WriteBatch.MembershipUpdate u : batch.membershipUpdates()) {
            if (u.isLeave()) memberships.remove(u.channel());
            else memberships.put(u.channel(), u.role());
        }
    }

    List<ChannelMessage> read(String channel, long fromSeq, int max) {
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        Log log = logs.get(channel);
        if (log == null || max == 0) return List.of();
        long from = Math.max(fromSeq, log.trimmedSeq + 1);
        long last = Math.min(log.lastSeq, from + max - 1);
        List<ChannelMessage> out = new ArrayList<>((int) Math.max(0, last - from + 1));
        for (long seq = from; seq <= last; seq++) out.add(log.messages.get(seq));
        return out;
    }

    StoredChannels state() {
        List<ChannelMembership> members = new ArrayList<>(memberships.size());
        memberships.forEach((channel, role) -> members.add(new ChannelMembership(channel, role)));
        List<ChannelLog> out = new ArrayList<>(logs.size());
        logs.forEach((channel, log) -> {
            List<ChannelReader> readers = new ArrayList<>(log.readers.size());
            log.readers.forEach((reader, acked) -> readers.add(new ChannelReader(channel, reader, acked)));
            out.add(new ChannelLog(channel, log.lastSeq, log.trimmedSeq, log.bytes, readers));
        });
        return new StoredChannels(members, out);
    }

    private long lastSeq(String channel) {
        Log log = logs.get(channel);
        return log == null ? 0 : log.lastSeq;
    }
}
