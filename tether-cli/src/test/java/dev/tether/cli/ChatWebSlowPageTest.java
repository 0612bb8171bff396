package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page that reads slowly or not at all delays no other page: lines added to the room (as a node's delivery thread
 * adds them) reach a page that reads while another one reads nothing, and a page too far behind is dropped with its
 * reason, after which a page that connects gets the history. The page that reads nothing has a receive buffer of 4 KiB
 * and is sent more than the kernel buffers between it and the server can hold (their largest is 4 MiB on Linux), so
 * its writer is stuck in a write: before pages had writers of their own the delivering thread was, and the other page
 * got nothing more.
 */
class ChatWebSlowPageTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String TEXT = "x".repeat(16 << 10);
    /** Lines of {@link #TEXT}: 6.5 MB, more than the buffers hold. */
    private static final int LINES = 400;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Closer open = new Closer();
    private ChatRoom room;

    @BeforeEach
    void startRoom() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        room = new ChatRoom(transcript, "general", Clock.systemUTC());
        TetherNode alice = Tether.start(MemoryNodes.builder(network, "alice", "bob")
                .handler((dev.tether.Delivery d) -> {})
                .build());
        open.add(alice::close);
        room.attach(alice);
    }

    @AfterEach
    void close() throws Exception {
        open.close();
    }

    @Test
    void aPageThatReadsNothingDelaysNoOtherPage() throws Exception {
        ChatWeb web = start(PageWriter.Limits.DEFAULT);
        page(web, 4096); // reads nothing
        PageSocket reader = page(web, 0).upgraded();
        Await.until(DEADLINE, () -> web.pages() == 2, () -> "both pages connected, " + web.pages() + " are");
        AtomicLong added = new AtomicLong();
        Thread delivery = new Thread(
                () -> {
                    for (int seq = 1; seq <= LINES; seq++) {
                        room.add(new ChatLine("general", "bob", seq, 0, TEXT));
                        added.set(seq);
                    }
                },
                "delivery");
        delivery.start();
        List<Long> seqs = new ArrayList<>();
        try {
            while (seqs.size() < LINES) seqs.add(reader.nextSeq());
        } catch (IOException e) {
            throw new AssertionError("the reading page got " + seqs.size() + " of " + LINES + " lines; the delivering"
                    + " thread added " + added.get() + " (" + e + ")");
        }
        delivery.join(DEADLINE.toMillis());
        assertThat(delivery.isAlive()).as("the delivering thread done").isFalse();
        assertThat(seqs).as("every line once, in order").containsExactlyElementsOf(range(1, LINES));
        assertThat(web.pages())
                .as("the page that reads nothing is within its limit")
                .isEqualTo(2);
    }

    @Test
    void aPageTooFarBehindIsClosedWithItsReasonAndReconnectsToTheHistory() throws Exception {
        // The grace outlasts the test: the close frame waits for the page to read up to it.
        ChatWeb web = start(new PageWriter.Limits(8, Duration.ofMinutes(5)));
        PageSocket stuck = page(web, 4096);
        PageSocket reader = page(web, 0).upgraded();
        Await.until(DEADLINE, () -> web.pages() == 2, () -> "both pages connected, " + web.pages() + " are");
        long seq = 0;
        while (web.pages() == 2) {
            assertThat(seq)
                    .as("lines added before the page that reads nothing was dropped")
                    .isLessThan(10 * LINES);
            room.add(new ChatLine("general", "bob", ++seq, 0, TEXT));
            assertThat(reader.nextSeq()).isEqualTo(seq); // the reading page keeps up
        }
        reader.awaitNotice("chat page dropped: this page fell 8 messages behind; reconnect for the history");

        stuck.upgraded();
        long last = 0;
        PageSocket.Frame f;
        for (f = stuck.read(); f.opcode() == 1; f = stuck.read())
            last = PageSocket.seq(f.text()).orElse(last);
        assertThat(f.opcode()).as("a close frame after %d lines", last).isEqualTo(8);
        assertThat(f.status()).isEqualTo(1008);
        assertThat(f.reason()).isEqualTo("this page fell 8 messages behind; reconnect for the history");
        assertThat(last).as("lines the dropped page got").isLessThan(seq);
        assertThatThrownBy(stuck::read)
                .as("the socket closed after the close frame")
                .isInstanceOf(EOFException.class);

        PageSocket again = page(web, 0).upgraded();
        List<Long> history = new ArrayList<>();
        while (history.size() < seq) history.add(again.nextSeq());
        assertThat(history).as("the history, every line").containsExactlyElementsOf(range(1, seq));
    }

    private ChatWeb start(PageWriter.Limits limits) throws IOException {
        ChatWeb web = ChatWeb.start(new InetSocketAddress("127.0.0.1", 0), room, limits);
        open.add(web);
        return web;
    }

    private PageSocket page(ChatWeb web, int receiveBuffer) throws IOException {
        PageSocket p = PageSocket.connect(web.address(), receiveBuffer, DEADLINE);
        open.add(p);
        return p;
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long s = from; s <= to; s++) r.add(s);
        return r;
    }
}
