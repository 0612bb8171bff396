package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.StoreException;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.DeadLetterIndexEntry;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.OutboundState;
import dev.tether.spi.Store;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Store}: one or more tests per numbered rule of its Javadoc, plus a seeded randomized
 * comparison against a model. Subclass it in a test source set and implement the two hooks.
 *
 * <p>Every test opens its stores at {@link Store#maxDurability()}. Stores are used from the test thread only.
 * The randomized test prints its seed; run with {@code -Dtether.seed=N} to replay one.
 */
public abstract class StoreContract {
    /** For subclasses: one per implementation under test. */
    protected StoreContract() {}

    protected static final NodeId A = NodeId.of("a");
    protected static final NodeId B = NodeId.of("b");
    protected static final NodeId C = NodeId.of("c");
    protected static final String LANE = "default";
    protected static final String OTHER_LANE = "other";

    private static final int ALL = 1_000_000;
    private final List<Store> stores = new ArrayList<>();

    /** A new, empty, unopened store. */
    protected abstract Store newStore();

    /**
     * A new, unopened store over the data of {@code previous}. The suite passes either a store it closed or
     * one it abandoned while open: a simulated crash, which the hook should perform without a clean shutdown
     * if the implementation can (for example by copying the files first, or by a test-only crash method).
     */
    protected abstract Store reopen(Store previous);

    /** How many random batches {@link #randomBatchesMatchModel()} commits; override to trade time for depth. */
    protected int randomBatches() {
        return 2_000;
    }

    @AfterEach
    final void closeStores() {
        stores.forEach(Store::close);
    }

    /** The rules of the key-value area (11-15), run for every store that runs this suite. */
    @Nested
    class KeyValueArea extends KeyValueContract {
        @Override
        protected Store newStore() {
            return StoreContract.this.newStore();
        }

        @Override
        protected Store reopen(Store previous) {
            return StoreContract.this.reopen(previous);
        }
    }

    // ---- rule 1: open, epoch

    @Test
    void newStoreOpensEmptyWithNonZeroEpoch() {
        StoredState state = open(fresh());

        assertThat(state.epoch()).isNotZero();
        assertThat(state.outbound()).isEmpty();
        assertThat(state.inbound()).isEmpty();
        assertThat(state.peerEpochs()).isEmpty();
    }

    @Test
    void epochSurvivesCleanReopen() {
        Store store = fresh();
        long epoch = open(store).epoch();
        store.close();

        assertThat(open(reopened(store)).epoch()).isEqualTo(epoch);
    }

    @Test
    void epochSurvivesCrash() {
        Store store = fresh();
        long epoch = open(store).epoch();
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));

        Store again = reopened(store);
        assertThat(open(again).epoch()).isEqualTo(epoch);
        assertThat(open(reopened(again)).epoch()).isEqualTo(epoch);
    }

    @Test
    void newStoresHaveDifferentEpochs() {
        assertThat(open(fresh()).epoch()).isNotEqualTo(open(fresh()).epoch());
    }

    // ---- rule 2: atomic commit

    @Test
    void committedWritesSurviveCleanReopen() {
        Store store = fresh();
        open(store);
        store.commit(everyKindOfWrite());
        store.close();

        assertEveryKindOfWrite(reopened(store));
    }

    @Test
    void committedWritesSurviveCrash() {
        Store store = fresh();
        open(store);
        store.commit(everyKindOfWrite());

        assertEveryKindOfWrite(reopened(store));
    }

    @Test
    void failedCommitAppliesNothing() {
        Store store = fresh();
        StoredState before = open(store);
        store.commit(new WriteBatch().append(msg(A, LANE, 1)).append(msg(A, LANE, 2)));
        String committed =
                dump(store, new StoredState(before.epoch(), List.of(out(A, LANE, 2, 0)), List.of(), Map.of()));

        WriteBatch bad = everyKindOfWrite().append(msg(A, LANE, 2));
        assertThatThrownBy(() -> store.commit(bad)).isInstanceOf(StoreException.class);

        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(1L, 2L);
        assertThat(store.readOutbox(B, LANE, 0, ALL)).isEmpty();
        assertThat(store.readDeadLetters(ALL)).isEmpty();
        Store again = reopened(store);
        assertThat(dump(again, open(again))).isEqualTo(committed);
        again.commit(new WriteBatch().append(msg(A, LANE, 3)));
        assertThat(again.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(1L, 2L, 3L);
    }

    // ---- rule 3: order of writes in a batch

    @Test
    void appendsApplyBeforeTrims() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch()
                .trim(new WriteBatch.Trim(A, LANE, 2))
                .append(msg(A, LANE, 1))
                .append(msg(A, LANE, 2))
                .append(msg(A, LANE, 3)));

        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(3L);
        assertThat(open(reopened(store)).outbound()).containsExactly(out(A, LANE, 3, 2));
    }

    @Test
    void writesOfOneKindApplyInBatchOrder() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch()
                .cursor(new InboundCursor(A, LANE, 7, 5))
                .cursor(new InboundCursor(A, LANE, 7, 9))
                .peerEpoch(new WriteBatch.PeerEpoch(B, 1))
                .peerEpoch(new WriteBatch.PeerEpoch(B, 2))
                .deadLetter(dead(A, 1))
                .deadLetter(dead(A, 2)));

        assertThat(store.readDeadLetters(ALL)).extracting(DeadLetter::seq).containsExactly(1L, 2L);
        StoredState state = open(reopened(store));
        assertThat(state.inbound()).containsExactly(new InboundCursor(A, LANE, 7, 9));
        assertThat(state.peerEpochs()).containsExactly(Map.entry(B, 2L));
    }

    // ---- rule 4: sequence numbers are never reused

    @Test
    void appendOfStoredSeqThrows() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch().append(msg(A, LANE, 1)));

        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 1))))
                .isInstanceOf(StoreException.class);
        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .singleElement()
                .satisfies(m -> assertSameMessage(m, msg(A, LANE, 1)));
    }

    @Test
    void appendOfTrimmedSeqThrows() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch().append(msg(A, LANE, 1)).append(msg(A, LANE, 2)));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 2)));

        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 2))))
                .isInstanceOf(StoreException.class);
        assertThat(store.readOutbox(A, LANE, 0, ALL)).isEmpty();
    }

    @Test
    void duplicateWithinOneBatchThrowsAndAppliesNothing() {
        Store store = fresh();
        open(store);

        assertThatThrownBy(() -> store.commit(new WriteBatch()
                        .append(msg(A, LANE, 1))
                        .append(msg(A, LANE, 2))
                        .append(msg(A, LANE, 2))))
                .isInstanceOf(StoreException.class);
        assertThat(store.readOutbox(A, LANE, 0, ALL)).isEmpty();
        assertThat(open(reopened(store)).outbound()).isEmpty();
    }

    @Test
    void sameSeqInOtherStreamsIsNotADuplicate() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch()
                .append(msg(A, LANE, 1))
                .append(msg(A, OTHER_LANE, 1))
                .append(msg(B, LANE, 1)));

        assertThat(open(reopened(store)).outbound())
                .containsExactlyInAnyOrder(out(A, LANE, 1, 0), out(A, OTHER_LANE, 1, 0), out(B, LANE, 1, 0));
    }

    // ---- rule 5: trims, ackedSeq, lastSeq

    @Test
    void trimDeletesUpToSeqAndRecordsAck() {
        Store store = fresh();
        open(store);
        store.commit(appends(A, LANE, 1, 5));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 3)));

        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(4L, 5L);
        assertThat(open(reopened(store)).outbound()).containsExactly(out(A, LANE, 5, 3));
    }

    @Test
    void trimNeverLowersAckedSeq() {
        Store store = fresh();
        open(store);
        store.commit(appends(A, LANE, 1, 5));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 3)));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 2)));

        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(4L, 5L);
        assertThat(open(reopened(store)).outbound()).containsExactly(out(A, LANE, 5, 3));
    }

    @Test
    void lastSeqSurvivesEmptyOutboxAndReopen() {
        Store store = fresh();
        open(store);
        store.commit(appends(A, LANE, 1, 3));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 3)));
        store.close();

        Store again = reopened(store);
        assertThat(open(again).outbound()).containsExactly(out(A, LANE, 3, 3));
        assertThatThrownBy(() -> again.commit(new WriteBatch().append(msg(A, LANE, 3))))
                .isInstanceOf(StoreException.class);
        again.commit(new WriteBatch().append(msg(A, LANE, 4)));
        assertThat(again.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(4L);
    }

    // ---- rule 6: cursors

    @Test
    void cursorWriteReplacesStoredCursorWhateverItsEpoch() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch()
                .cursor(new InboundCursor(A, LANE, 11, 50))
                .cursor(new InboundCursor(A, OTHER_LANE, 11, 7))
                .cursor(new InboundCursor(B, LANE, 11, 8)));
        store.commit(new WriteBatch().cursor(new InboundCursor(A, LANE, 12, 1)));

        assertThat(open(reopened(store)).inbound())
                .containsExactlyInAnyOrder(
                        new InboundCursor(A, LANE, 12, 1),
                        new InboundCursor(A, OTHER_LANE, 11, 7),
                        new InboundCursor(B, LANE, 11, 8));
    }

    // ---- rule 7: readOutbox

    @Test
    void readOutboxPagesInAscendingOrderWithoutGaps() {
        Store store = fresh();
        open(store);
        store.commit(appends(A, LANE, 1, 4));
        store.commit(appends(A, LANE, 5, 10));

        List<Long> seen = new ArrayList<>();
        long from = 1;
        for (List<StoredMessage> page; !(page = store.readOutbox(A, LANE, from, 3)).isEmpty(); ) {
            assertThat(page).hasSizeLessThanOrEqualTo(3);
            page.forEach(m -> seen.add(m.seq()));
            from = page.get(page.size() - 1).seq() + 1;
        }
        assertThat(seen)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(store.readOutbox(A, LANE, 4, 2))
                .extracting(StoredMessage::seq)
                .containsExactly(4L, 5L);
        assertThat(store.readOutbox(A, LANE, 11, ALL)).isEmpty();
    }

    @Test
    void readOutboxFromBelowFirstStoredStartsAtFirstStored() {
        Store store = fresh();
        open(store);
        store.commit(appends(A, LANE, 1, 6));
        store.commit(new WriteBatch().trim(new WriteBatch.Trim(A, LANE, 4)));

        assertThat(store.readOutbox(A, LANE, 1, ALL))
                .extracting(StoredMessage::seq)
                .containsExactly(5L, 6L);
        assertThat(store.readOutbox(A, LANE, 0, 1))
                .extracting(StoredMessage::seq)
                .containsExactly(5L);
    }

    @Test
    void readOutboxReadsOneStream() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch()
                .append(msg(A, LANE, 1))
                .append(msg(B, LANE, 1))
                .append(msg(A, OTHER_LANE, 1))
                .append(msg(A, LANE, 2))
                .append(msg(B, LANE, 2)));

        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .allSatisfy(m -> assertThat(m.to()).isEqualTo(A))
                .allSatisfy(m -> assertThat(m.lane()).isEqualTo(LANE))
                .extracting(StoredMessage::seq)
                .containsExactly(1L, 2L);
        assertThat(store.readOutbox(A, OTHER_LANE, 0, ALL)).hasSize(1);
        assertThat(store.readOutbox(C, LANE, 0, ALL)).isEmpty();
    }

    @Test
    void readOutboxReturnsEveryFieldAsStored() {
        Store store = fresh();
        open(store);
        StoredMessage rich = new StoredMessage(
                A, LANE, 1, 1_700_000_000_123L, Map.of("content-type", "text/plain", "x", ""), bytes("héllo"));
        StoredMessage empty = new StoredMessage(A, LANE, 2, 0, Map.of(), new byte[0]);
        store.commit(new WriteBatch().append(rich).append(empty));

        Store again = reopened(store);
        open(again);
        List<StoredMessage> read = again.readOutbox(A, LANE, 0, ALL);
        assertThat(read).hasSize(2);
        assertSameMessage(read.get(0), rich);
        assertSameMessage(read.get(1), empty);
    }

    // ---- rule 8: the checksum comes back as appended

    @Test
    void theChecksumComesBackAsAppendedNeverRecomputed() {
        Store store = fresh();
        open(store);
        StoredMessage computed = new StoredMessage(A, LANE, 1, 0, Map.of("k", "v"), bytes("checked"));
        // A checksum that does not match the content: the store keeps it, so the engine can see the mismatch.
        StoredMessage mismatched = new StoredMessage(A, LANE, 2, 0, Map.of(), bytes("changed"), 0xdead_beefL);
        StoredMessage unchecked =
                new StoredMessage(A, LANE, 3, 7, Map.of(), bytes("from before checksums"), MessageChecksum.UNCHECKED);
        StoredMessage highBit = new StoredMessage(A, LANE, 4, 0, Map.of(), bytes("x"), 0xffff_ffffL);
        store.commit(new WriteBatch()
                .append(computed)
                .append(mismatched)
                .append(unchecked)
                .append(highBit));

        Store again = reopened(store);
        open(again);
        List<StoredMessage> read = again.readOutbox(A, LANE, 0, ALL);
        assertThat(read)
                .extracting(StoredMessage::checksum)
                .containsExactly(computed.checksum(), 0xdead_beefL, MessageChecksum.UNCHECKED, 0xffff_ffffL);
        assertThat(read).extracting(StoredMessage::intact).containsExactly(true, false, true, false);
    }

    // ---- rule 25: the acceptance time comes back as appended

    @Test
    void theAcceptanceTimeComesBackAsAppendedAlsoAfterAReopen() {
        Store store = fresh();
        open(store);
        StoredMessage known = new StoredMessage(A, LANE, 1, 0, Map.of(), bytes("known")).acceptedAt(1_700_000_000_123L);
        StoredMessage unknown = new StoredMessage(A, LANE, 2, 0, Map.of(), bytes("unknown"));
        StoredMessage late = new StoredMessage(A, LANE, 3, 9, Map.of(), bytes("late")).acceptedAt(Long.MAX_VALUE);
        store.commit(new WriteBatch().append(known).append(unknown).append(late));
        assertThat(store.readOutbox(A, LANE, 0, ALL))
                .extracting(StoredMessage::acceptedAtMillis)
                .containsExactly(1_700_000_000_123L, 0L, Long.MAX_VALUE);

        Store again = reopened(store);
        open(again);
        List<StoredMessage> read = again.readOutbox(A, LANE, 0, ALL);
        assertThat(read)
                .extracting(StoredMessage::acceptedAtMillis)
                .containsExactly(1_700_000_000_123L, 0L, Long.MAX_VALUE);
        assertThat(read).extracting(StoredMessage::intact).containsOnly(true); // not part of the checksum
    }

    // ---- rule 10: closed store

    @Test
    void closedStoreThrowsStoreException() {
        Store store = fresh();
        Durability durability = store.maxDurability();
        store.open(durability);
        store.close();

        assertThatThrownBy(() -> store.commit(new WriteBatch().append(msg(A, LANE, 1))))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.readOutbox(A, LANE, 0, 1)).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.readDeadLetters(1)).isInstanceOf(StoreException.class);
        assertThatThrownBy(store::maxDurability).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.open(durability)).isInstanceOf(StoreException.class);
        store.close();
    }

    // ---- dead letters and peer epochs

    /** Rule 22: a removal deletes exactly the dead letter it names, atomically with its batch; others keep order. */
    @Test
    void deadLetterRemovalDeletesTheNamedOneOnly() {
        Store store = fresh();
        open(store);
        store.commit(
                new WriteBatch().deadLetter(dead(A, 1)).deadLetter(dead(B, 2)).deadLetter(dead(A, 3)));
        DeadLetter otherEpoch = new DeadLetter(A, LANE, 98, 3, Map.of(), bytes("x"), 1, "r", 1);
        store.commit(new WriteBatch()
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(dead(B, 2)))
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(otherEpoch)) // names none: nothing
                .deadLetter(dead(C, 4))
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(dead(C, 4)))); // added in this batch: gone too
        assertThat(store.readDeadLetters(ALL)).extracting(DeadLetter::seq).containsExactly(1L, 3L);
        WriteBatch failing = new WriteBatch()
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(dead(A, 1)))
                .append(new StoredMessage(A, LANE, 7, 0, Map.of(), bytes("gap"))); // a gap: the batch fails
        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);
        Store again = reopened(store);
        open(again);
        assertThat(again.readDeadLetters(ALL)).extracting(DeadLetter::seq).containsExactly(1L, 3L);
    }

    /**
     * Rule 24: the index names exactly the dead letters {@code readDeadLetters} returns, in its order, with payload
     * length and time as written; after removals, a failed batch and a reopen (also a crash) alike.
     */
    @Test
    void deadLetterIndexMatchesTheDeadLetters() {
        Store store = fresh();
        open(store);
        assertThat(store.readDeadLetterIndex()).isEmpty();
        DeadLetter empty = new DeadLetter(B, OTHER_LANE, -7, 9, Map.of(), new byte[0], 0, "corrupt", 5);
        DeadLetter big = new DeadLetter(A, LANE, 99, 8, Map.of("k", "v"), new byte[70_000], 2, "big", 3);
        store.commit(new WriteBatch().deadLetter(dead(A, 1)).deadLetter(empty).deadLetter(dead(C, 2)));
        store.commit(new WriteBatch()
                .deadLetter(big)
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(dead(C, 2)))
                .deadLetter(dead(A, 3)));
        assertThat(store.readDeadLetterIndex()).isEqualTo(indexOf(store.readDeadLetters(ALL)));
        assertThat(store.readDeadLetterIndex())
                .containsExactly(
                        DeadLetterIndexEntry.of(dead(A, 1)),
                        new DeadLetterIndexEntry(B, OTHER_LANE, -7, 9, 0, 5),
                        new DeadLetterIndexEntry(A, LANE, 99, 8, 70_000, 3),
                        DeadLetterIndexEntry.of(dead(A, 3)));
        WriteBatch failing = new WriteBatch()
                .deadLetter(dead(C, 4))
                .removeDeadLetter(WriteBatch.DeadLetterRemoval.of(dead(A, 1)))
                .append(new StoredMessage(A, LANE, 7, 0, Map.of(), bytes("gap"))); // a gap: the batch fails
        assertThatThrownBy(() -> store.commit(failing)).isInstanceOf(StoreException.class);
        List<DeadLetterIndexEntry> before = store.readDeadLetterIndex();
        assertThat(before).hasSize(4);
        Store again = reopened(store);
        open(again);
        assertThat(again.readDeadLetterIndex()).isEqualTo(before);
        again.commit(new WriteBatch().removeDeadLetter(before.get(0).removal()));
        assertThat(again.readDeadLetterIndex()).isEqualTo(before.subList(1, 4));
        assertThat(again.readDeadLetterIndex()).isEqualTo(indexOf(again.readDeadLetters(ALL)));
    }

    private static List<DeadLetterIndexEntry> indexOf(List<DeadLetter> l) {
        return l.stream().map(DeadLetterIndexEntry::of).toList();
    }

    @Test
    void deadLettersAreReadOldestFirst() {
        Store store = fresh();
        open(store);
        store.commit(new WriteBatch().deadLetter(dead(A, 1)).deadLetter(dead(B, 2)));
        store.commit(new WriteBatch().deadLetter(dead(A, 3)));
        store.commit(new WriteBatch().deadLetter(dead(C, 4)).deadLetter(dead(A, 5)));

        assertThat(store.readDeadLetters(3)).extracting(DeadLetter::seq).containsExactly(1L, 2L, 3L);
        Store again = reopened(store);
        open(again);
        List<DeadLetter> all = again.readDeadLetters(ALL);
        assertThat(all).extracting(DeadLetter::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(describe(all.get(1))).isEqualTo(describe(dead(B, 2)));
        assertThat(again.readDeadLetters(0)).isEmpty();
    }

    @Test
    void peerEpochsRoundTripAndReplace() {
        Store store = fresh();
        open(store);
        store.commit(
                new WriteBatch().peerEpoch(new WriteBatch.PeerEpoch(A, 1)).peerEpoch(new WriteBatch.PeerEpoch(B, -2)));
        store.commit(new WriteBatch().peerEpoch(new WriteBatch.PeerEpoch(A, Long.MIN_VALUE)));

        assertThat(open(reopened(store)).peerEpochs()).isEqualTo(Map.of(A, Long.MIN_VALUE, B, -2L));
    }

    // ---- randomized comparison with a model

    @Test
    void randomBatchesMatchModel() {
        long seed = Long.getLong("tether.seed", new Random().nextLong());
        System.out.println(getClass().getSimpleName() + ".randomBatchesMatchModel seed=" + seed
                + " (replay with -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        Model model = new Model();
        Store store = fresh();
        model.epoch = open(store).epoch();
        int batch = 0;
        try {
            for (; batch < randomBatches(); batch++) {
                step(random, store, model);
                if (random.nextInt(40) == 0) {
                    store = random.nextBoolean() ? crashed(store) : closedAndReopened(store);
                    assertThat(dump(store, open(store))).isEqualTo(model.dump());
                }
            }
            Store last = reopened(store);
            assertThat(dump(last, open(last))).isEqualTo(model.dump());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " failed at batch " + batch + ": " + e.getMessage(), e);
        }
    }

    private void step(Random random, Store store, Model model) {
        WriteBatch batch = new WriteBatch();
        Map<StreamKey, Long> lastSeqs = new TreeMap<>();
        for (int i = random.nextInt(6) + 1; i > 0; i--) {
            StreamKey key = new StreamKey(pick(random, A, B, C), pick(random, LANE, OTHER_LANE));
            long last = lastSeqs.computeIfAbsent(key, model::lastSeq);
            switch (random.nextInt(5)) {
                case 0 -> {
                    lastSeqs.put(key, last + 1);
                    batch.append(randomMessage(random, key, last + 1));
                }
                case 1 ->
                    batch.trim(new WriteBatch.Trim(key.to(), key.lane(), (long) (random.nextDouble() * (last + 1))));
                case 2 ->
                    batch.cursor(new InboundCursor(key.to(), key.lane(), random.nextInt(3) + 1, random.nextInt(100)));
                case 3 -> batch.deadLetter(dead(key.to(), random.nextInt(1000)));
                default -> batch.peerEpoch(new WriteBatch.PeerEpoch(key.to(), random.nextLong()));
            }
        }
        StreamKey dupKey = lastSeqs.keySet().iterator().next();
        long dupLast = lastSeqs.get(dupKey);
        if (dupLast > 0 && random.nextInt(10) == 0) {
            batch.append(randomMessage(random, dupKey, 1 + (long) (random.nextDouble() * dupLast)));
            assertThatThrownBy(() -> store.commit(batch)).isInstanceOf(StoreException.class);
        } else {
            store.commit(batch);
            model.apply(batch);
        }
        StreamKey key = new StreamKey(pick(random, A, B, C), pick(random, LANE, OTHER_LANE));
        long from = (long) (random.nextDouble() * (model.lastSeq(key) + 3));
        int max = random.nextInt(6);
        assertThat(describeAll(store.readOutbox(key.to(), key.lane(), from, max)))
                .isEqualTo(describeAll(model.readOutbox(key, from, max)));
        assertThat(describeDead(store.readDeadLetters(ALL))).isEqualTo(describeDead(model.deadLetters));
    }

    private Store crashed(Store store) {
        return reopened(store);
    }

    private Store closedAndReopened(Store store) {
        store.close();
        return reopened(store);
    }

    /** A stream's key, ordered for deterministic iteration. */
    private record StreamKey(NodeId to, String lane) implements Comparable<StreamKey> {
        @Override
        public int compareTo(StreamKey o) {
            return Comparator.comparing(StreamKey::to)
                    .thenComparing(StreamKey::lane)
                    .compare(this, o);
        }
    }

    /** The obvious implementation of the store rules. */
    private static final class Model {
        long epoch;
        final Map<StreamKey, long[]> seqs = new TreeMap<>(); // {lastSeq, ackedSeq}
        final Map<StreamKey, TreeMap<Long, StoredMessage>> outboxes = new TreeMap<>();
        final Map<StreamKey, InboundCursor> cursors = new TreeMap<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final Map<NodeId, Long> peerEpochs = new TreeMap<>();

        long lastSeq(StreamKey key) {
            long[] s = seqs.get(key);
            return s == null ? 0 : s[0];
        }

        void apply(WriteBatch batch) {
            for (StoredMessage m : batch.appends()) {
                StreamKey key = new StreamKey(m.to(), m.lane());
                seqs.computeIfAbsent(key, k -> new long[2])[0] = m.seq();
                outboxes.computeIfAbsent(key, k -> new TreeMap<>()).put(m.seq(), m);
            }
            for (WriteBatch.Trim t : batch.trims()) {
                StreamKey key = new StreamKey(t.to(), t.lane());
                long[] s = seqs.get(key);
                if (s == null || t.upToSeq() <= s[1]) continue;
                s[1] = t.upToSeq();
                outboxes.get(key).headMap(t.upToSeq(), true).clear();
            }
            batch.cursors().forEach(c -> cursors.put(new StreamKey(c.from(), c.lane()), c));
            deadLetters.addAll(batch.deadLetters());
            batch.peerEpochs().forEach(p -> peerEpochs.put(p.peer(), p.epoch()));
        }

        List<StoredMessage> readOutbox(StreamKey key, long from, int max) {
            TreeMap<Long, StoredMessage> outbox = outboxes.getOrDefault(key, new TreeMap<>());
            return outbox.tailMap(from, true).values().stream().limit(max).toList();
        }

        String dump() {
            List<OutboundState> outbound = new ArrayList<>();
            seqs.forEach((k, s) -> outbound.add(new OutboundState(k.to(), k.lane(), s[0], s[1])));
            StoredState state = new StoredState(epoch, outbound, List.copyOf(cursors.values()), peerEpochs);
            return StoreContract.dump(state, (to, lane) -> readOutbox(new StreamKey(to, lane), 0, ALL), deadLetters);
        }
    }

    // ---- helpers

    private Store fresh() {
        Store store = newStore();
        stores.add(store);
        return store;
    }

    private Store reopened(Store previous) {
        Store store = reopen(previous);
        stores.add(store);
        return store;
    }

    private static StoredState open(Store store) {
        return store.open(store.maxDurability());
    }

    /** A test message whose headers and payload depend on its stream and sequence number. */
    protected static StoredMessage msg(NodeId to, String lane, long seq) {
        return new StoredMessage(to, lane, seq, 0, Map.of("n", Long.toString(seq)), bytes(to + "/" + lane + "#" + seq));
    }

    private static StoredMessage randomMessage(Random random, StreamKey key, long seq) {
        byte[] payload = new byte[random.nextInt(64)];
        random.nextBytes(payload);
        Map<String, String> headers = random.nextBoolean() ? Map.of() : Map.of("h", Integer.toString(random.nextInt()));
        return new StoredMessage(key.to(), key.lane(), seq, random.nextInt(3) * 1000L, headers, payload);
    }

    private static WriteBatch appends(NodeId to, String lane, long first, long last) {
        WriteBatch batch = new WriteBatch();
        for (long seq = first; seq <= last; seq++) batch.append(msg(to, lane, seq));
        return batch;
    }

    private static DeadLetter dead(NodeId from, long seq) {
        return new DeadLetter(
                from, LANE, 99, seq, Map.of("why", "test"), bytes("dead" + seq), 3, "handler failed", 1000 + seq);
    }

    private static OutboundState out(NodeId to, String lane, long lastSeq, long ackedSeq) {
        return new OutboundState(to, lane, lastSeq, ackedSeq);
    }

    private static WriteBatch everyKindOfWrite() {
        return new WriteBatch()
                .append(msg(B, LANE, 1))
                .append(msg(B, LANE, 2))
                .trim(new WriteBatch.Trim(B, LANE, 1))
                .cursor(new InboundCursor(C, LANE, 42, 17))
                .deadLetter(dead(C, 3))
                .peerEpoch(new WriteBatch.PeerEpoch(C, 42));
    }

    private void assertEveryKindOfWrite(Store store) {
        StoredState state = open(store);
        assertThat(state.outbound()).containsExactly(out(B, LANE, 2, 1));
        assertThat(state.inbound()).containsExactly(new InboundCursor(C, LANE, 42, 17));
        assertThat(state.peerEpochs()).isEqualTo(Map.of(C, 42L));
        assertThat(describeAll(store.readOutbox(B, LANE, 0, ALL))).isEqualTo(describeAll(List.of(msg(B, LANE, 2))));
        assertThat(describeDead(store.readDeadLetters(ALL))).isEqualTo(describeDead(List.of(dead(C, 3))));
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertSameMessage(StoredMessage actual, StoredMessage expected) {
        assertThat(describe(actual)).isEqualTo(describe(expected));
    }

    /** Reads every message of one outbound stream. */
    private interface OutboxReader {
        List<StoredMessage> read(NodeId to, String lane);
    }

    private static String dump(Store store, StoredState state) {
        return dump(state, (to, lane) -> store.readOutbox(to, lane, 0, ALL), store.readDeadLetters(ALL));
    }

    /** A canonical text form of a store's whole content, epoch included, for readable comparisons. */
    private static String dump(StoredState state, OutboxReader reader, List<DeadLetter> deadLetters) {
        StringBuilder b = new StringBuilder("epoch " + state.epoch() + "\n");
        state.outbound().stream()
                .sorted(Comparator.comparing(OutboundState::to).thenComparing(OutboundState::lane))
                .forEach(o -> {
                    b.append(o).append('\n');
                    describeAll(reader.read(o.to(), o.lane()))
                            .forEach(m -> b.append("  ").append(m).append('\n'));
                });
        state.inbound().stream()
                .sorted(Comparator.comparing(InboundCursor::from).thenComparing(InboundCursor::lane))
                .forEach(c -> b.append(c).append('\n'));
        b.append("peers ").append(new TreeMap<>(state.peerEpochs())).append('\n');
        describeDead(deadLetters).forEach(d -> b.append(d).append('\n'));
        return b.toString();
    }

    private static List<String> describeAll(List<StoredMessage> messages) {
        return messages.stream().map(StoreContract::describe).toList();
    }

    private static List<String> describeDead(List<DeadLetter> deadLetters) {
        return deadLetters.stream().map(StoreContract::describe).toList();
    }

    private static String describe(StoredMessage m) {
        return m.to() + "/" + m.lane() + "#" + m.seq() + " expires=" + m.expiresAtMillis() + " headers="
                + new TreeMap<>(m.headers()) + " payload=" + HexFormat.of().formatHex(m.payload()) + " checksum="
                + m.checksum() + " accepted=" + m.acceptedAtMillis();
    }

    private static String describe(DeadLetter d) {
        return "dead " + d.from() + "/" + d.lane() + "@" + d.senderEpoch() + "#" + d.seq() + " headers="
                + new TreeMap<>(d.headers()) + " payload=" + HexFormat.of().formatHex(d.payload()) + " attempts="
                + d.attempts() + " reason=" + d.reason() + " at=" + d.atMillis();
    }
}
