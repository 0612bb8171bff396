package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMembership;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.ChannelReader;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import dev.tether.spi.WriteBatch.ChannelTrim;
import dev.tether.spi.WriteBatch.MembershipUpdate;
import dev.tether.spi.WriteBatch.ReaderUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channel rules of {@link Store} (rules 16-21 and 23 of its Javadoc): one or more tests per rule, plus a seeded
 * randomized comparison against a model. Subclass it in a test source set and implement the two hooks, as for
 * {@link StoreContract}. The randomized test prints its seed; {@code -Dtether.seed=N} replays one.
 */
public abstract class ChannelStoreContract {
    /** For subclasses: one per implementation under test. */
    protected ChannelStoreContract() {}

    private static final NodeId R1 = NodeId.of("r1");
    private static final NodeId R2 = NodeId.of("r2");
    private static final String NEWS = "news";
    private static final String SPORT = "sport";
    private static final int ALL = 1_000_000;

    private final List<Store> stores = new ArrayList<>();

    /** A new, empty, unopened store. */
    protected abstract Store newStore();

    /** A new, unopened store over the data of {@code previous}, closed or abandoned (a crash). */
    protected abstract Store reopen(Store previous);

    @AfterEach
    final void closeStores() {
        stores.forEach(Store::close);
    }

    // ---- rule 16: publishes numbered lastSeq + 1, lastSeq never decreases

    @Test
    void publishesAreNumberedPerChannelAndReadBack() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 3).publish(message(SPORT, 1)));

        assertThat(store.readChannel(NEWS, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(1L, 2L, 3L);
        assertThat(store.readChannel(SPORT, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(1L);
        assertThat(store.readChannels().logs())
                .containsExactly(log(NEWS, 3, 0, bytes(NEWS, 1, 3)), log(SPORT, 1, 0, bytes(SPORT, 1, 1)));
    }

    @Test
    void aPublishLeavingAGapOrReusingANumberFailsTheWholeBatch() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 2));

        for (long bad : new long[] {2, 4}) {
            WriteBatch batch = new WriteBatch()
                    .append(new StoredMessage(R1, "default", 1, 0, Map.of(), new byte[1]))
                    .publish(message(SPORT, 1))
                    .publish(message(NEWS, bad));
            assertThatThrownBy(() -> store.commit(batch)).isInstanceOf(StoreException.class);
        }
        assertThat(store.readOutbox(R1, "default", 1, ALL)).isEmpty();
        assertThat(store.readChannel(SPORT, 1, ALL)).isEmpty();
        assertThat(store.readChannels().logs()).containsExactly(log(NEWS, 2, 0, bytes(NEWS, 1, 2)));
    }

    @Test
    void numberingContinuesAfterTheLogWasTrimmedEmptyAndReopened() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 3).trimChannel(new ChannelTrim(NEWS, 3)));
        store.close();

        Store again = reopened(store);
        assertThat(again.readChannels().logs()).containsExactly(log(NEWS, 3, 3, 0));
        assertThatThrownBy(() -> again.commit(publishes(NEWS, 1, 1))).isInstanceOf(StoreException.class);
        again.commit(publishes(NEWS, 4, 4));
        assertThat(again.readChannel(NEWS, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(4L);
    }

    // ---- rule 17: channel trims

    @Test
    void aTrimDeletesAPrefixAndLeavesReadersAlone() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 5)
                .channelReader(ReaderUpdate.set(NEWS, R1, 1))
                .channelReader(ReaderUpdate.set(NEWS, R2, 4)));

        store.commit(new WriteBatch().trimChannel(new ChannelTrim(NEWS, 3)));
        store.commit(new WriteBatch().trimChannel(new ChannelTrim(NEWS, 2))); // below trimmedSeq: nothing

        assertThat(store.readChannel(NEWS, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(4L, 5L);
        assertThat(store.readChannels().logs())
                .containsExactly(new ChannelLog(
                        NEWS, 5, 3, bytes(NEWS, 4, 5), List.of(reader(NEWS, R1, 1), reader(NEWS, R2, 4))));
    }

    @Test
    void aTrimMayReachIntoItsOwnBatchsPublishesButNotBeyondThem() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 2).trimChannel(new ChannelTrim(NEWS, 2)));
        assertThat(store.readChannels().logs()).containsExactly(log(NEWS, 2, 2, 0));

        assertThatThrownBy(() -> store.commit(publishes(NEWS, 3, 4).trimChannel(new ChannelTrim(NEWS, 5))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("beyond");
        assertThatThrownBy(() -> store.commit(new WriteBatch().trimChannel(new ChannelTrim(SPORT, 1))))
                .isInstanceOf(StoreException.class);
        assertThat(store.readChannels().logs()).containsExactly(log(NEWS, 2, 2, 0));
    }

    @Test
    void aTrimToZeroOfAChannelNeverPublishedOnChangesNothing() {
        Store store = opened();
        store.commit(new WriteBatch().trimChannel(new ChannelTrim(SPORT, 0)));

        assertThat(store.readChannels().logs()).isEmpty();
    }

    // ---- rule 18: reader and membership updates replace or delete, in order

    @Test
    void readerUpdatesReplaceAndRemoveInTheOrderAdded() {
        Store store = opened();
        store.commit(new WriteBatch()
                .channelReader(ReaderUpdate.set(NEWS, R1, 0))
                .channelReader(ReaderUpdate.set(NEWS, R1, 7))
                .channelReader(ReaderUpdate.set(NEWS, R2, 1))
                .channelReader(ReaderUpdate.remove(NEWS, R2))
                .channelReader(ReaderUpdate.remove(SPORT, R1)) // absent: nothing
                .channelReader(ReaderUpdate.remove(NEWS, R1))
                .channelReader(ReaderUpdate.set(NEWS, R1, 9)));

        assertThat(store.readChannels().logs())
                .containsExactly(new ChannelLog(NEWS, 0, 0, 0, List.of(reader(NEWS, R1, 9))));
    }

    @Test
    void membershipUpdatesReplaceAndLeaveInTheOrderAdded() {
        Store store = opened();
        store.commit(new WriteBatch()
                .channelMembership(MembershipUpdate.join(NEWS, ChannelRole.READ))
                .channelMembership(MembershipUpdate.join(NEWS, ChannelRole.READ_WRITE))
                .channelMembership(MembershipUpdate.join(SPORT, ChannelRole.WRITE))
                .channelMembership(MembershipUpdate.leave(SPORT))
                .channelMembership(MembershipUpdate.leave("absent")));
        store.commit(new WriteBatch()
                .channelMembership(MembershipUpdate.leave(NEWS))
                .channelMembership(MembershipUpdate.join(NEWS, ChannelRole.WRITE)));

        assertThat(store.readChannels().memberships()).containsExactly(new ChannelMembership(NEWS, ChannelRole.WRITE));
        assertThat(store.readChannels().logs()).isEmpty();
    }

    // ---- rule 19: part of the batch's atomicity

    @Test
    void aFailingChannelWriteFailsTheStreamWritesOfItsBatchToo() {
        Store store = opened();
        WriteBatch batch = new WriteBatch()
                .append(new StoredMessage(R1, "default", 1, 0, Map.of(), new byte[1]))
                .channelReader(ReaderUpdate.set(NEWS, R1, 0))
                .channelMembership(MembershipUpdate.join(NEWS, ChannelRole.READ))
                .publish(message(NEWS, 2));

        assertThatThrownBy(() -> store.commit(batch)).isInstanceOf(StoreException.class);

        assertThat(store.readOutbox(R1, "default", 1, ALL)).isEmpty();
        assertThat(store.readChannels()).isEqualTo(new StoredChannels(List.of(), List.of()));
    }

    // ---- rule 20: readChannel

    @Test
    void readChannelReturnsEveryFieldAsPublishedFromTheGivenNumberUpToMax() {
        Store store = opened();
        ChannelMessage special = new ChannelMessage(
                NEWS,
                1,
                1_700_000_000_123L,
                1_700_000_060_000L,
                Map.of("a", "1", "b", ""),
                "special".getBytes(StandardCharsets.UTF_8),
                MessageChecksum.of(
                        Channels.lane(NEWS),
                        1,
                        1_700_000_060_000L,
                        Map.of("a", "1", "b", ""),
                        "special".getBytes(StandardCharsets.UTF_8)));
        ChannelMessage unchecked = new ChannelMessage(NEWS, 2, 5, 0, Map.of(), new byte[0], MessageChecksum.UNCHECKED);
        store.commit(new WriteBatch().publish(special).publish(unchecked));
        store.commit(publishes(NEWS, 3, 10));

        List<ChannelMessage> first = store.readChannel(NEWS, 1, 2);
        assertThat(first).hasSize(2);
        assertSameMessage(first.get(0), special);
        assertSameMessage(first.get(1), unchecked);
        assertThat(store.readChannel(NEWS, 4, 3))
                .extracting(ChannelMessage::seq)
                .containsExactly(4L, 5L, 6L);
        assertThat(store.readChannel(NEWS, 9, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(9L, 10L);
        assertThat(store.readChannel(NEWS, 11, ALL)).isEmpty();
        assertThat(store.readChannel(NEWS, 1, 0)).isEmpty();
        assertThat(store.readChannel(SPORT, 1, ALL)).isEmpty();
        store.commit(new WriteBatch().trimChannel(new ChannelTrim(NEWS, 8)));
        assertThat(store.readChannel(NEWS, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(9L, 10L);
    }

    // ---- rule 21: readChannels, after a clean reopen and after a crash

    @Test
    void channelStateSurvivesCleanReopenAndCrash() {
        Store store = opened();
        store.commit(publishes(NEWS, 1, 4)
                .trimChannel(new ChannelTrim(NEWS, 1))
                .channelReader(ReaderUpdate.set(NEWS, R1, 2))
                .channelReader(ReaderUpdate.set(SPORT, R2, 0))
                .channelMembership(MembershipUpdate.join(NEWS, ChannelRole.READ_WRITE)));
        StoredChannels expected = store.readChannels();
        assertThat(expected.logs())
                .containsExactly(
                        new ChannelLog(NEWS, 4, 1, bytes(NEWS, 2, 4), List.of(reader(NEWS, R1, 2))),
                        new ChannelLog(SPORT, 0, 0, 0, List.of(reader(SPORT, R2, 0))));
        store.close();

        Store again = reopened(store);
        assertThat(again.readChannels()).isEqualTo(expected);
        Store crashed = reopened(again); // abandoned while open
        assertThat(crashed.readChannels()).isEqualTo(expected);
        assertThat(crashed.readChannel(NEWS, 1, ALL))
                .extracting(ChannelMessage::seq)
                .containsExactly(2L, 3L, 4L);
    }

    // ---- rule 23: readChannelIndex, what retention by bytes and age decides on after a restart

    @Test
    void readChannelIndexGivesSizeAndPublishTimeOfExactlyWhatReadChannelReturnsAlsoAfterAReopen() {
        Store store = opened();
        WriteBatch w = new WriteBatch();
        for (int seq = 1; seq <= 6; seq++) {
            byte[] payload = new byte[seq * 10];
            w.publish(new ChannelMessage(
                    NEWS,
                    seq,
                    1_700_000_000_000L + seq,
                    0,
                    Map.of("h", "v"),
                    payload,
                    MessageChecksum.of(Channels.lane(NEWS), seq, 0, Map.of("h", "v"), payload)));
        }
        store.commit(w.trimChannel(new ChannelTrim(NEWS, 2)).channelReader(ReaderUpdate.set(NEWS, R1, 1)));
        assertThat(store.readChannelIndex(NEWS, 1, ALL))
                .containsExactly(
                        new ChannelEntry(3, 30, 1_700_000_000_003L),
                        new ChannelEntry(4, 40, 1_700_000_000_004L),
                        new ChannelEntry(5, 50, 1_700_000_000_005L),
                        new ChannelEntry(6, 60, 1_700_000_000_006L));
        assertThat(store.readChannelIndex(NEWS, 4, 2))
                .extracting(ChannelEntry::seq)
                .containsExactly(4L, 5L);
        assertThat(store.readChannelIndex(SPORT, 1, ALL)).isEmpty();
        store.close();
        Store again = reopened(store);
        assertThat(again.readChannelIndex(NEWS, 1, ALL))
                .extracting(ChannelEntry::payloadBytes)
                .containsExactly(30L, 40L, 50L, 60L);
        // a reader behind the trim (retention deleted what it had not taken) keeps its cursor (rule 17)
        assertThat(again.readChannels().logs().get(0).readers()).containsExactly(reader(NEWS, R1, 1));
    }

    // ---- all rules against a model, seeded

    @Test
    void randomChannelBatchesMatchAModel() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("ChannelStoreContract seed " + seed + " (replay: -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        ChannelModel model = new ChannelModel();
        Store store = opened();
        for (int i = 0; i < 300; i++) {
            WriteBatch batch = model.randomBatch(random);
            if (random.nextInt(10) == 0) {
                batch.publish(message("bad", model.lastSeq("bad") + 2)); // a gap: the whole batch fails
                Store current = store;
                assertThatThrownBy(() -> current.commit(batch))
                        .as("seed %d", seed)
                        .isInstanceOf(StoreException.class);
            } else {
                store.commit(batch);
                model.apply(batch);
            }
            if (random.nextInt(50) == 0) {
                store.close();
                store = reopened(store);
            }
            model.check(store, seed);
        }
    }

    // ---- helpers

    private Store opened() {
        Store store = newStore();
        stores.add(store);
        store.open(store.maxDurability());
        return store;
    }

    private Store reopened(Store previous) {
        Store store = reopen(previous);
        stores.add(store);
        store.open(store.maxDurability());
        return store;
    }

    /** A test message whose headers and payload depend on its channel and sequence number. */
    static ChannelMessage message(String channel, long seq) {
        byte[] payload = (channel + "#" + seq).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("n", Long.toString(seq));
        return new ChannelMessage(
                channel,
                seq,
                1000 + seq,
                0,
                headers,
                payload,
                MessageChecksum.of(Channels.lane(channel), seq, 0, headers, payload));
    }

    private static WriteBatch publishes(String channel, long first, long last) {
        WriteBatch batch = new WriteBatch();
        for (long seq = first; seq <= last; seq++) batch.publish(message(channel, seq));
        return batch;
    }

    /** The payload bytes of {@link #message} {@code first..last} of {@code channel}. */
    static long bytes(String channel, long first, long last) {
        long sum = 0;
        for (long seq = first; seq <= last; seq++) sum += message(channel, seq).payload().length;
        return sum;
    }

    private static ChannelLog log(String channel, long lastSeq, long trimmedSeq, long bytes) {
        return new ChannelLog(channel, lastSeq, trimmedSeq, bytes, List.of());
    }

    private static ChannelReader reader(String channel, NodeId reader, long ackedSeq) {
        return new ChannelReader(channel, reader, ackedSeq);
    }

    static void assertSameMessage(ChannelMessage actual, ChannelMessage expected) {
        assertThat(actual.channel()).isEqualTo(expected.channel());
        assertThat(actual.seq()).isEqualTo(expected.seq());
        assertThat(actual.publishedAtMillis()).isEqualTo(expected.publishedAtMillis());
        assertThat(actual.expiresAtMillis()).isEqualTo(expected.expiresAtMillis());
        assertThat(actual.headers()).isEqualTo(expected.headers());
        assertThat(actual.payload()).isEqualTo(expected.payload());
        assertThat(actual.checksum()).isEqualTo(expected.checksum());
    }

    /** What a store must hold: the model the randomized test compares it with. */
    private static final class ChannelModel {
        private static final List<String> CHANNELS = List.of("c1", "c2", "c3");
        private static final List<NodeId> READERS = List.of(R1, R2, NodeId.of("r3"));
        private final Map<String, long[]> logs = new TreeMap<>(); // lastSeq, trimmedSeq
        private final Map<String, Map<NodeId, Long>> readers = new TreeMap<>();
        private final Map<String, ChannelRole> members = new TreeMap<>();

        long lastSeq(String channel) {
            long[] log = logs.get(channel);
            return log == null ? 0 : log[0];
        }

        WriteBatch randomBatch(Random random) {
            WriteBatch batch = new WriteBatch();
            Map<String, Long> last = new TreeMap<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                long seq = last.getOrDefault(channel, lastSeq(channel)) + 1;
                for (int n = random.nextInt(5); n > 0; n--) batch.publish(message(channel, seq++));
                last.put(channel, seq - 1);
                if (random.nextInt(3) == 0) batch.trimChannel(new ChannelTrim(channel, random.nextLong(seq)));
            }
            for (int i = random.nextInt(3); i > 0; i--) {
                String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                NodeId reader = READERS.get(random.nextInt(READERS.size()));
                batch.channelReader(
                        random.nextInt(4) == 0
                                ? ReaderUpdate.remove(channel, reader)
                                : ReaderUpdate.set(channel, reader, random.nextInt(20)));
            }
            if (random.nextInt(4) == 0) {
                String channel = CHANNELS.get(random.nextInt(CHANNELS.size()));
                ChannelRole[] roles = ChannelRole.values();
                batch.channelMembership(
                        random.nextBoolean()
                                ? MembershipUpdate.leave(channel)
                                : MembershipUpdate.join(channel, roles[random.nextInt(roles.length)]));
            }
            return batch;
        }

        void apply(WriteBatch batch) {
            for (ChannelMessage m : batch.publishes()) logs.computeIfAbsent(m.channel(), k -> new long[2])[0] = m.seq();
            for (ChannelTrim t : batch.channelTrims()) {
                long[] log = logs.get(t.channel()); // null: a trim to 0 of a channel never published on
                if (log != null) log[1] = Math.max(log[1], t.upToSeq());
            }
            for (ReaderUpdate u : batch.readerUpdates()) {
                if (u.removed()) {
                    Map<NodeId, Long> rs = readers.get(u.channel());
                    if (rs != null) rs.remove(u.reader());
                } else {
                    logs.computeIfAbsent(u.channel(), k -> new long[2]);
                    readers.computeIfAbsent(u.channel(), k -> new TreeMap<>()).put(u.reader(), u.ackedSeq());
                }
            }
            for (MembershipUpdate u : batch.membershipUpdates()) {
                if (u.isLeave()) members.remove(u.channel());
                else members.put(u.channel(), u.role());
            }
        }

        void check(Store store, long seed) {
            StoredChannels actual = store.readChannels();
            List<ChannelMembership> expectedMembers = new ArrayList<>();
            members.forEach((c, r) -> expectedMembers.add(new ChannelMembership(c, r)));
            assertThat(actual.memberships()).as("seed %d", seed).containsExactlyElementsOf(expectedMembers);
            List<ChannelLog> expectedLogs = new ArrayList<>();
            logs.forEach((c, log) -> {
                List<ChannelReader> rs = new ArrayList<>();
                readers.getOrDefault(c, Map.of()).forEach((r, acked) -> rs.add(reader(c, r, acked)));
                expectedLogs.add(new ChannelLog(c, log[0], log[1], bytes(c, log[1] + 1, log[0]), rs));
                List<ChannelMessage> held = store.readChannel(c, 0, ALL);
                assertThat(held)
                        .as("seed %d", seed)
                        .extracting(ChannelMessage::seq)
                        .hasSize((int) (log[0] - log[1]));
                for (ChannelMessage m : held) assertSameMessage(m, message(c, m.seq()));
            });
            assertThat(actual.logs()).as("seed %d", seed).containsExactlyElementsOf(expectedLogs);
        }
    }
}
