package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat room on in-memory nodes: what it tells of joins that some peer takes note of late. */
class ChatRoomTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    @Test
    void aJoinThatTimedOutIsShownJoinedOnceThePeerThatWasDownTakesNote() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatRoom room = new ChatRoom(transcript, "general", Clock.systemUTC());
        List<String> notices = new CopyOnWriteArrayList<>();
        room.addView(new ChatRoom.View() {
            @Override
            public void line(ChatLine line) {}

            @Override
            public void notice(String text) {
                notices.add(text);
            }
        });
        TetherNode alice = node("alice", "bob", room);
        room.attach(alice);
        Await.until(
                DEADLINE,
                () -> notices.stream().anyMatch(n -> n.contains("not yet taken note of")),
                () -> "the join timed out: " + notices);
        assertThat(room.memberships().get("general")).isEqualTo(new ChatRoom.Membership(ChannelRole.READ_WRITE, false));

        node("bob", "alice", null);
        // the room marks the membership complete, then shows the notice: wait for both, not the first alone
        Await.until(
                DEADLINE,
                () -> room.memberships().get("general").complete()
                        && notices.contains("joined #general as READ_WRITE: every known peer has taken note"),
                () -> "shown joined once bob took note: " + notices);
    }

    @Test
    void aKickIsShownAndTheChannelLeftUntilReadmitted() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatRoom room = new ChatRoom(transcript, "general", Clock.systemUTC());
        List<String> notices = new CopyOnWriteArrayList<>();
        room.addView(new ChatRoom.View() {
            @Override
            public void line(ChatLine line) {}

            @Override
            public void notice(String text) {
                notices.add(text);
            }
        });
        TetherNode bob = node("bob", "alice", null);
        TetherNode alice = node("alice", "bob", room);
        room.attach(alice);
        Await.until(DEADLINE, () -> room.memberships().get("general").complete(), () -> "alice joined: " + notices);

        Tether.management(bob).kick(NodeId.of("alice"), "general");
        Await.until(
                DEADLINE,
                () -> notices.stream().anyMatch(n -> n.startsWith("you were kicked from #general by bob")),
                () -> "the kick shown: " + notices);
        assertThat(room.memberships()).doesNotContainKey("general");
    }

    private TetherNode node(String id, String peer, ChatRoom room) {
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of(id))
                .peers(NodeId.of(peer))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .defaultCallTimeout(Duration.ofMillis(300))
                .handler((dev.tether.Delivery d) -> {});
        if (room != null) b.listener(room::onEvent);
        TetherNode n = Tether.start(b.build());
        open.add(n::close);
        return n;
    }
}
