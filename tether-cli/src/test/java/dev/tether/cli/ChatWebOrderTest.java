package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page that connects while lines are being added gets them in the transcript's order: the history first, then what
 * was added meanwhile, never a new line in the middle of the history (which put a publisher's later message before
 * its earlier ones on a page that reconnected while its restarted node was receiving what it had missed).
 */
class ChatWebOrderTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int HISTORY = ChatTranscript.RECENT;

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Closer open = new Closer();

    @AfterEach
    void close() throws Exception {
        open.close();
    }

    @Test
    void aLineAddedWhileAPageReceivesTheHistoryComesAfterTheHistory() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatRoom room = new ChatRoom(transcript, "general", Clock.systemUTC());
        TetherNode alice = Tether.start(MemoryNodes.builder(network, "alice", "bob")
                .handler((dev.tether.Delivery d) -> {})
                .build());
        open.add(alice::close);
        room.attach(alice);
        // a history larger than the socket buffers: the page's writer is still sending it when the late line comes
        String text = "x".repeat(4096);
        for (int seq = 1; seq <= HISTORY; seq++) room.add(new ChatLine("general", "bob", seq, 0, text));
        ChatWeb web = ChatWeb.start(new InetSocketAddress("127.0.0.1", 0), room);
        open.add(web);

        try (PageSocket page = PageSocket.connect(web.address(), 4096, DEADLINE).upgraded()) {
            List<Long> seqs = new ArrayList<>();
            seqs.add(page.nextSeq()); // the history was taken: it is being sent
            Thread late = new Thread(() -> room.add(new ChatLine("general", "bob", HISTORY + 1, 0, "late")), "late");
            late.start();
            // the line was queued, or waits for the connection's thread queuing the history (the session's lock)
            Await.until(DEADLINE, () -> waiting(late) || connectionBlocked(), () -> "the late line on its way");
            while (seqs.size() < HISTORY + 1) seqs.add(page.nextSeq());
            late.join(DEADLINE.toMillis());
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= HISTORY + 1; s++) expected.add(s);
            assertThat(seqs).as("bob's lines once each, in his order").containsExactlyElementsOf(expected);
        }
    }

    private static boolean waiting(Thread t) {
        return t.getState() == Thread.State.BLOCKED || t.getState() == Thread.State.TERMINATED;
    }

    private static boolean connectionBlocked() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("tether-chat-conn") && t.getState() == Thread.State.BLOCKED);
    }
}
