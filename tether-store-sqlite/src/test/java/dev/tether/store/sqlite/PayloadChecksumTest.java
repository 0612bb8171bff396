package dev.tether.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterView;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.StoreDamage;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A byte changed inside a stored payload passes SQLite's own checks; the message checksum catches it: the altered
 * message never reaches the receiver's application, it is dead-lettered there with the reason, and the sender
 * counts and reports the mismatch. The messages around it are delivered.
 */
class PayloadChecksumTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<TetherEvent> senderEvents = new CopyOnWriteArrayList<>();
    private final List<TetherEvent> receiverEvents = new CopyOnWriteArrayList<>();

    private TetherNode sender() {
        return Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("tether-a.db")))
                .durability(Durability.FSYNC)
                .listener(senderEvents::add)
                .handler(d -> {})
                .build());
    }

    private TetherNode receiver() {
        return Tether.start(TetherConfig.builder(B)
                .peers(A)
                .transport(network.newTransport())
                .store(new SqliteStore(dir.resolve("tether-b.db")))
                .durability(Durability.FSYNC)
                .listener(receiverEvents::add)
                .handler(d -> delivered.add(new String(d.payloadBytes(), StandardCharsets.UTF_8)))
                .build());
    }

    private static byte[] payload(int i) {
        return ("message-" + i + "-with-a-marker-unique-in-the-file").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPayloadChangedOnDiskIsNeverDeliveredAndIsDeadLetteredWithTheReason() throws Exception {
        TetherNode a = sender();
        for (int i = 1; i <= 3; i++) a.send(B, payload(i)).accepted().get(30, TimeUnit.SECONDS);
        assertThat(a.shutdown(Duration.ZERO).pendingTotal()).isEqualTo(3);
        StoreDamage.flipByteInside(dir.resolve("tether-a.db"), payload(2));

        a = sender(); // quick_check passes: the damage is inside a value
        TetherNode b = receiver();
        Await.until(
                Duration.ofSeconds(30),
                () -> delivered.size() >= 2 && b.stats().deadLettered() >= 1,
                () -> "delivered " + delivered + ", stats " + b.stats());
        TetherNode a2 = a;
        Await.until(
                Duration.ofSeconds(30),
                () -> a2.stats().queued() == 0
                        && a2.stats().inFlight() == 0
                        && b.deadLetters(10).size() == 1,
                () -> "settled: " + a2.stats() + ", dead letters " + b.deadLetters(10));

        assertThat(delivered).containsExactly(new String(payload(1)), new String(payload(3)));
        List<DeadLetterView> dead = b.deadLetters(10);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.seq()).isEqualTo(2);
            assertThat(d.reason()).contains("checksum").contains("sender's store");
        });
        assertThat(receiverEvents)
                .filteredOn(TetherEvent.DeadLettered.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((TetherEvent.DeadLettered) e).seq()).isEqualTo(2));
        assertThat(a.stats().checksumMismatches()).isEqualTo(1);
        assertThat(senderEvents)
                .filteredOn(TetherEvent.ChecksumMismatch.class::isInstance)
                .singleElement()
                .satisfies(e -> {
                    TetherEvent.ChecksumMismatch m = (TetherEvent.ChecksumMismatch) e;
                    assertThat(m.peer()).isEqualTo(B);
                    assertThat(m.seq()).isEqualTo(2);
                    assertThat(m.where()).isEqualTo(TetherEvent.ChecksumMismatch.Where.STORE);
                });
        assertThat(b.stats().checksumMismatches()).isZero();
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void aCorruptMessageDoesNotHoldUpTheOnesAfterIt() throws Exception {
        // In one run the message is never re-read from the store (it is transmitted from memory): a sender restart
        // is what makes it read the damaged row, and after it only the receiver's OUTCOME tells what happened.
        TetherNode a = sender();
        a.send(B, payload(7)).accepted().get(30, TimeUnit.SECONDS);
        a.shutdown(Duration.ZERO);
        StoreDamage.flipByteInside(dir.resolve("tether-a.db"), payload(7));
        a = sender();
        SendReceipt next = a.send(B, payload(8));
        TetherNode b = receiver();
        assertThat(next.processed().get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        assertThat(delivered).containsExactly(new String(payload(8)));
        Await.until(Duration.ofSeconds(30), () -> b.deadLetters(10).size() == 1, () -> "dead letter stored");
        assertThat(b.deadLetters(10)).extracting(DeadLetterView::seq).containsExactly(1L);
        a.shutdown(Duration.ofSeconds(5));
        b.shutdown(Duration.ofSeconds(5));
    }
}
