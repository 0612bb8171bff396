package dev.tether.store.memory;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import dev.tether.internal.util.SeqRing;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.KeyValue;
import dev.tether.spi.OutboundState;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

/**
 * A {@link Store} kept in the heap: it survives disconnects, not the process ({@link Durability#MEMORY}).
 *
 * <p>Besides the {@link Store} rules it enforces the outbox invariant of {@link OutboundState}: an append must
 * carry {@code lastSeq + 1} of its stream (the first one 1), and a trim must not go beyond {@code lastSeq};
 * a batch breaking either fails with {@link StoreException} and applies nothing.
 *
 * <p>Threading: every method is thread-safe (one lock per instance). Tether calls a store from one writer
 * thread; the lock exists so that tests may crash or break the store from another thread.
 *
 * <p>Crash simulation: the instance plays the role of a process, its state the role of the disk. {@link
 * #reopenAfterCrash()} ends the "process" without a clean shutdown and returns a new, unopened store over a
 * copy of exactly the committed state; since {@link #commit} applies a batch completely or not at all, that
 * is everything whose commit returned. {@link #failNextCommits} simulates failing disk writes.
 */
public final class InMemoryStore implements Store {
    private record StreamKey(NodeId to, String lane) {}

    /** An outbound stream: its outbox holds exactly {@code ackedSeq+1..lastSeq}. */
    private static final class Stream {
        long lastSeq;
        long ackedSeq;
        /**
         * The last sequence number the batch being validated assigns this stream, valid while {@link #checkedIn} is
         * that batch's number: the check needs no map of its own.
         */
        long pendingLastSeq;

        long checkedIn;
        /** Holds exactly {@code ackedSeq+1..lastSeq}: appends are consecutive and trims remove a prefix. */
        final SeqRing<StoredMessage> outbox = new SeqRing<>();

        Stream copy() {
            Stream c = new Stream();
            c.lastSeq = lastSeq;
            c.ackedSeq = ackedSeq;
            c.outbox.resetTo(ackedSeq + 1);
            for (long seq = ackedSeq + 1; seq <= lastSeq; seq++) c.outbox.add(seq, outbox.get(seq));
            return c;
        }
    }

    private final long epoch;
    private final PeerLanes<Stream> streams;
    private final PeerLanes<InboundCursor> cursors;
    private final List<DeadLetter> deadLetters;
    private final Map<NodeId, Long> peerEpochs;
    /** The key-value area: per namespace, its entries by key (entries are immutable). */
    private final Map<String, TreeMap<String, KeyValue>> keys;

    private final InMemoryChannels channels;
    private final InMemoryHistory history;

    private boolean open;
    private boolean closed;
    private int commitsToFail;

    /** A new, empty store with an epoch drawn from a {@link SecureRandom}. */
    public InMemoryStore() {
        this(new SecureRandom());
    }

    /** A new, empty store whose epoch is drawn from {@code random}; for deterministic simulations. */
    public InMemoryStore(Random random) {
        long e;
        do {
            e = random.nextLong();
        } while (e == 0);
        this.epoch = e;
        this.streams = new PeerLanes<>();
        this.cursors = new PeerLanes<>();
        this.deadLetters = new ArrayList<>();
        this.peerEpochs = new HashMap<>();
        this.keys = new HashMap<>();
        this.channels = new InMemoryChannels();
        this.history = new InMemoryHistory();
    }

    private InMemoryStore(InMemoryStore crashed) {
        this.epoch = crashed.epoch;
        this.streams = crashed.streams.copy(Stream::copy);
        this.cursors = crashed.cursors.copy(c -> c);
        this.deadLetters = new ArrayList<>(crashed.deadLetters);
        this.peerEpochs = new HashMap<>(crashed.peerEpochs);
        this.keys = new HashMap<>();
        crashed.keys.forEach((ns, entries) -> keys.put(ns, new TreeMap<>(entries)));
        this.channels = crashed.channels.copy();
        this.history = crashed.history.copy();
    }

    /** Every method is synchronized and works on the heap only. */
    @Override
    public boolean isNonBlocking() {
        return true;
    }

    @Override
    public synchronized Durability maxDurability() {
        checkNotClosed();
        return Durability.MEMORY;
    }

    /** @throws StoreException if the store is already open, closed, or {@code durability} is above MEMORY */
    @Override
    public synchronized StoredState open(Durability durability) {
        checkNotClosed();
        if (open) throw new StoreException("store is already open");
        if (durability.compareTo(Durability.MEMORY) > 0) {
            throw new StoreException(
                    "durability " + durability + " is stronger than MEMORY, the most an" + " in-memory store honours");
        }
        open = true;
        List<OutboundState> outbound = new ArrayList<>(streams.size());
        streams.forEach((to, lane, s) -> outbound.add(new OutboundState(to, lane, s.lastSeq, s.ackedSeq)));
        return new StoredState(epoch, outbound, List.copyOf(cursors.values()), peerEpochs);
    }

    @Override
    public synchronized void commit(WriteBatch batch) {
        checkOpen();
        if (commitsToFail > 0) {
            commitsToFail--;
            throw new StoreException("injected commit failure (" + commitsToFail + " more to come)");
        }
        Checked checked = validate(batch);
        channels.validate(batch);
        checked.created.forEach((k, created) -> streams.put(k.to(), k.lane(), created));
        // Appends come grouped by stream, each group's stream and size found by the check, its numbers checked to
        // follow on from the stream's last: applied without reading a message again (on a large batch, a cache miss
        // each).
        List<StoredMessage> appends = batch.appends();
        int i = 0;
        for (int group = 0; group < checked.groups.size(); group++) {
            Stream s = checked.groups.get(group);
            long seq = s.lastSeq;
            for (int end = i + checked.sizes[group]; i < end; i++) s.outbox.add(++seq, appends.get(i));
            s.lastSeq = seq;
        }
        int trim = 0;
        for (WriteBatch.Trim t : batch.trims()) {
            Stream trimmed = checked.trimmed.get(trim++);
            if (trimmed == null || t.upToSeq() <= trimmed.ackedSeq) continue;
            trimmed.outbox.removeUpTo(t.upToSeq());
            trimmed.ackedSeq = t.upToSeq();
        }
        for (InboundCursor c : batch.cursors()) cursors.put(c.from(), c.lane(), c);
        deadLetters.addAll(batch.deadLetters());
        for (WriteBatch.DeadLetterRemoval r : batch.deadLetterRemovals()) deadLetters.removeIf(r::matches);
        for (WriteBatch.PeerEpoch p : batch.peerEpochs()) peerEpochs.put(p.peer(), p.epoch());
        for (WriteBatch.KeyWrite w : batch.keyWrites()) {
            if (w.isDelete()) {
                TreeMap<String, KeyValue> entries = keys.get(w.namespace());
                if (entries != null) entries.remove(w.key());
            } else {
                keys.computeIfAbsent(w.namespace(), k -> new TreeMap<>()).put(w.key(), w.put());
            }
        }
        long now = batch.removeExpiredAt();
        if (now != 0) keys.values().forEach(entries -> entries.values().removeIf(kv -> kv.expiredAt(now)));
        keys.values().removeIf(Map::isEmpty);
        channels.apply(batch);
        history.apply(batch);
    }

    /**
     * What {@link #validate} found: the stream of each group of appends (new ones are in {@code created}, to add when
     * the batch is applied) and how many appends it has, and the stream of each trim (null: no such stream), in the
     * batch's order.
     */
    private record Checked(List<Stream> groups, int[] sizes, Map<StreamKey, Stream> created, List<Stream> trimmed) {}

    /** Numbers the batches validated, for {@link Stream#checkedIn}. */
    private long checks;

    /**
     * Checks every write of {@code batch} against the current state, so that applying it cannot fail, and finds each
     * group's and trim's stream once for applying it: with many streams and a message or two each per batch, the
     * lookups are most of a batch's cost.
     */
    private Checked validate(WriteBatch batch) {
        long check = ++checks;
        List<Stream> groups = new ArrayList<>();
        int[] sizes = new int[8];
        Map<StreamKey, Stream> created = new HashMap<>();
        Stream s = null;
        StoredMessage previous = null;
        for (StoredMessage m : batch.appends()) {
            if (previous == null || !sameStream(previous, m)) {
                if (groups.size() == sizes.length) sizes = Arrays.copyOf(sizes, sizes.length * 2);
                s = streams.get(Objects.requireNonNull(m.to(), "to"), Objects.requireNonNull(m.lane()));
                if (s == null) s = created.computeIfAbsent(new StreamKey(m.to(), m.lane()), k -> new Stream());
                if (s.checkedIn != check) {
                    s.checkedIn = check;
                    s.pendingLastSeq = s.lastSeq;
                }
                groups.add(s);
            }
            long last = s.pendingLastSeq;
            if (m.seq() <= last) {
                throw new StoreException("append of " + m.to() + "/" + m.lane() + "#" + m.seq()
                        + " reuses a sequence number (last assigned is " + last + ")");
            }
            if (m.seq() != last + 1) {
                throw new StoreException("append of " + m.to() + "/" + m.lane() + "#" + m.seq()
                        + " leaves a gap (last assigned is " + last + ")");
            }
            s.pendingLastSeq = m.seq();
            sizes[groups.size() - 1]++;
            previous = m;
        }
        List<Stream> trimmed = new ArrayList<>(batch.trims().size());
        for (WriteBatch.Trim t : batch.trims()) {
            Stream ts = streams.get(Objects.requireNonNull(t.to(), "to"), Objects.requireNonNull(t.lane()));
            if (ts == null) ts = created.get(new StreamKey(t.to(), t.lane()));
            long lastAssigned = ts == null ? 0 : ts.checkedIn == check ? ts.pendingLastSeq : ts.lastSeq;
            if (t.upToSeq() > lastAssigned) {
                throw new StoreException("trim of " + t.to() + "/" + t.lane() + " up to " + t.upToSeq()
                        + " goes beyond the last assigned sequence number " + lastAssigned);
            }
            trimmed.add(ts);
        }
        for (InboundCursor c : batch.cursors()) {
            Objects.requireNonNull(c.from(), "from");
            Objects.requireNonNull(c.lane(), "lane");
        }
        batch.deadLetters().forEach(Objects::requireNonNull);
        batch.peerEpochs().forEach(p -> Objects.requireNonNull(p.peer(), "peer"));
        return new Checked(groups, sizes, created, trimmed);
    }

    /**
     * Whether {@code a} and {@code b} belong to the same stream; the same objects in the usual case. Lanes of other
     * streams (with many streams, most neighbours) are told apart by their cached hashes, without reading their bytes.
     */
    private static boolean sameStream(StoredMessage a, StoredMessage b) {
        String la = a.lane();
        String lb = b.lane();
        boolean lane = la == lb || la.hashCode() == lb.hashCode() && la.equals(lb);
        return lane && (a.to() == b.to() || a.to().equals(b.to()));
    }

    @Override
    public synchronized List<StoredMessage> readOutbox(NodeId to, String lane, long fromSeq, int max) {
        checkOpen();
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        Stream s = streams.get(to, lane);
        if (s == null || max == 0) return List.of();
        long from = Math.max(fromSeq, s.ackedSeq + 1);
        long last = Math.min(s.lastSeq, from + max - 1);
        List<StoredMessage> out = new ArrayList<>((int) Math.max(0, last - from + 1));
        for (long seq = from; seq <= last; seq++) out.add(s.outbox.get(seq));
        return out;
    }

    @Override
    public synchronized List<ChannelMessage> readChannel(String channel, long fromSeq, int max) {
        checkOpen();
        return channels.read(channel, fromSeq, max);
    }

    @Override
    public synchronized StoredChannels readChannels() {
        checkOpen();
        return channels.state();
    }

    @Override
    public synchronized List<DeadLetter> readDeadLetters(int max) {
        checkOpen();
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        return List.copyOf(deadLetters.subList(0, Math.min(max, deadLetters.size())));
    }

    @Override
    public synchronized List<KeyValue> readKeys(String namespace, String afterKey, long nowMillis, int max) {
        checkOpen();
        KeyValue.checkNamespace(namespace);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        TreeMap<String, KeyValue> entries = keys.get(namespace);
        if (entries == null || max == 0) return List.of();
        List<KeyValue> out = new ArrayList<>();
        for (KeyValue kv : (afterKey == null ? entries : entries.tailMap(afterKey, false)).values()) {
            if (kv.expiredAt(nowMillis)) continue;
            out.add(kv);
            if (out.size() == max) break;
        }
        return out;
    }

    /** Sorts the namespace's live entries: the heap holds them all anyway. */
    @Override
    public synchronized List<KeyValue> readNewestKeys(String namespace, long nowMillis, int max) {
        checkOpen();
        KeyValue.checkNamespace(namespace);
        if (max < 0) throw new IllegalArgumentException("max must not be negative, was " + max);
        TreeMap<String, KeyValue> entries = keys.get(namespace);
        if (entries == null || max == 0) return List.of();
        List<KeyValue> live = new ArrayList<>();
        for (KeyValue kv : entries.values()) {
            if (!kv.expiredAt(nowMillis)) live.add(kv);
        }
        live.sort(KeyValue.EXPIRY_ORDER);
        return List.copyOf(live.subList(Math.max(0, live.size() - max), live.size()));
    }

    @Override
    public synchronized List<HistoryEntry> readHistory(HistoryQuery query) {
        checkOpen();
        return history.read(query);
    }

    @Override
    public synchronized HistoryStats historySummary() {
        checkOpen();
        return history.summary();
    }

    /** Closes the store; idempotent. The committed state stays available to {@link #reopenAfterCrash()}. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    /**
     * Simulates a crash and restart: closes this store (if it is not closed yet) and returns a new, unopened
     * store with the same epoch and a copy of exactly the committed state. Works on a cleanly closed store
     * too, and may be called more than once (each call copies the state again).
     */
    public synchronized InMemoryStore reopenAfterCrash() {
        closed = true;
        return new InMemoryStore(this);
    }

    /**
     * Makes each of the next {@code n} calls to {@link #commit} throw {@link StoreException} without applying
     * anything, as a failing disk would. Replaces any count set before; 0 cancels.
     */
    public synchronized void failNextCommits(int n) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative, was " + n);
        commitsToFail = n;
    }

    private void checkNotClosed() {
        if (closed) throw new StoreException("store is closed");
    }

    private void checkOpen() {
        checkNotClosed();
        if (!open) throw new StoreException("store is not open");
    }
}
