package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelJoinTimeoutException;
import dev.tether.ChannelRole;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.transport.memory.InMemoryNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat room on in-memory nodes: what it tells of joins that some peer takes note of late. */
class ChatRoomTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Closer open = new Closer();

    @AfterEach
    void close() throws Exception {
        open.close();
    }

    @Test
    void aJoinThatTimedOutIsShownJoinedOnceThePeerThatWasDownTakesNote() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        ChatRoom room = room(notices);
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
        List<String> notices = new CopyOnWriteArrayList<>();
        ChatRoom room = room(notices);
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

    @Test
    void aJoinTheNodeRefusesLeavesNoMembershipAndABadRoleNamesTheRoles() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        ChatRoom room = room(notices);
        room.attach(node("alice", "bob", room));
        assertThat(room.input("/join _x")).startsWith("/join failed: ").contains("_x");
        assertThat(room.input("/join c bogus"))
                .isEqualTo("/join failed: unknown role 'bogus': the roles are read, write and read_write");
        assertThat(room.memberships()).containsOnlyKeys("general");
        assertThat(room.currentChannel()).isEqualTo("general");
        assertThat(room.input("/join c write")).isEqualTo("joining #c as WRITE (the current channel now)");
        assertThat(room.memberships()).containsOnlyKeys("general", "c");
        assertThat(room.input("/leave nothere")).isEqualTo("/leave: not in #nothere (joined: c, general)");
        assertThat(room.memberships()).containsOnlyKeys("general", "c");
    }

    @Test
    void aJoinAskedAgainWhenAPeerComesUpThatFailsIsShownAndNotAskedAgain() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        ChatRoom room = room(notices);
        TetherNode alice = node("alice", "bob", room);
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
        TetherNode refusing = joinsThrough(alice, () -> {
            if (refuse.get()) throw new IllegalStateException("the node refuses joins now");
            return new CompletableFuture<Void>(); // never taken note of
        });
        room.attach(refusing);
        refuse.set(true);
        room.onEvent(new dev.tether.TetherEvent.PeerConnected(NodeId.of("bob")));
        Await.until(
                DEADLINE,
                () -> notices.contains("join #general failed: the node refuses joins now"),
                () -> "the failed join shown: " + notices);
        assertThat(room.memberships()).doesNotContainKey("general");
    }

    @Test
    void aJoinThatTimesOutWhileThePeerIsUpIsAskedAgainUntilTakenNoteOf() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        ChatRoom room = room(notices);
        TetherNode bob = node("bob", "alice", null);
        TetherNode alice = node("alice", "bob", room);
        Await.until(DEADLINE, () -> alice.peers().stream().anyMatch(PeerInfo::connected), () -> "bob up");
        AtomicInteger joins = new AtomicInteger();
        // a slow peer: the first asks time out although bob is connected, the next one goes through
        int slowAsks = 2;
        room.attach(joinsThrough(
                alice,
                () -> joins.incrementAndGet() <= slowAsks
                        ? CompletableFuture.failedFuture(new ChannelJoinTimeoutException("bob is slow"))
                        : alice.join("general", ChannelRole.READ_WRITE)));
        Await.until(
                DEADLINE,
                () -> notices.contains("joined #general as READ_WRITE: every known peer has taken note"),
                () -> "asked again until taken note of: " + notices + ", joins " + joins);
        assertThat(room.memberships().get("general").complete()).isTrue();
        assertThat(bob.peers()).isNotEmpty();
    }

    /**
     * A join that keeps timing out while a peer is up is asked again six times, after 250 ms doubling each time (16 s
     * in all; the test runs the pauses itself), and not a seventh; a peer coming up starts the count again, its own ask
     * the first of six.
     */
    @Test
    void aJoinThatKeepsTimingOutIsAskedAgainSixTimesAndNotASeventh() throws Exception {
        List<Long> pauses = new CopyOnWriteArrayList<>();
        BlockingQueue<Runnable> due = new LinkedBlockingQueue<>();
        ChatRoom room = room(new CopyOnWriteArrayList<>(), (millis, task) -> {
            pauses.add(millis);
            due.add(task);
        });
        node("bob", "alice", null);
        TetherNode alice = node("alice", "bob", null); // no listener: the test says when a peer comes up
        Await.until(DEADLINE, () -> alice.peers().stream().anyMatch(PeerInfo::connected), () -> "bob up");
        AtomicInteger joins = new AtomicInteger();
        room.attach(joinsThrough(alice, () -> {
            joins.incrementAndGet();
            return CompletableFuture.failedFuture(new ChannelJoinTimeoutException("bob is slow"));
        }));
        runPauses(due, pauses);
        assertThat(pauses)
                .as("the pauses before each ask again")
                .containsExactly(250L, 500L, 1000L, 2000L, 4000L, 8000L);
        assertThat(joins).as("the join and its asks again").hasValue(7);

        pauses.clear();
        room.onEvent(new dev.tether.TetherEvent.PeerConnected(NodeId.of("bob"))); // asks at once, off this thread
        Await.until(DEADLINE, () -> joins.get() == 8 && !due.isEmpty(), () -> "asked when bob came up: " + joins);
        runPauses(due, pauses);
        assertThat(pauses).as("the pauses after bob came up").containsExactly(500L, 1000L, 2000L, 4000L, 8000L);
        assertThat(joins).as("bob's ask and five more").hasValue(13);
        assertThat(room.memberships().get("general")).isEqualTo(new ChatRoom.Membership(ChannelRole.READ_WRITE, false));
    }

    /** Runs the tasks that wait on a pause, as their pauses end, until none waits (at most 20, should asks not end). */
    private static void runPauses(BlockingQueue<Runnable> due, List<Long> pauses) {
        for (Runnable next = due.poll(); next != null && pauses.size() <= 20; next = due.poll()) next.run();
    }

    /** {@code alice}, whose {@code join} is {@code join}'s instead. */
    private static TetherNode joinsThrough(TetherNode alice, Supplier<CompletableFuture<Void>> join) {
        return (TetherNode) Proxy.newProxyInstance(
                TetherNode.class.getClassLoader(), new Class<?>[] {TetherNode.class}, (proxy, m, args) -> {
                    if (m.getName().equals("join")) return join.get();
                    try {
                        return m.invoke(alice, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private ChatRoom room(List<String> notices) throws java.io.IOException {
        return room(notices, ChatRoom.Pauses.REAL);
    }

    private ChatRoom room(List<String> notices, ChatRoom.Pauses pauses) throws java.io.IOException {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatRoom room = new ChatRoom(transcript, "general", Clock.systemUTC(), pauses);
        room.addView(new ChatRoom.View() {
            @Override
            public void line(ChatLine line) {}

            @Override
            public void notice(String text) {
                notices.add(text);
            }
        });
        return room;
    }

    private TetherNode node(String id, String peer, ChatRoom room) {
        TetherConfig.Builder b = MemoryNodes.builder(network, id, peer)
                .defaultCallTimeout(Duration.ofMillis(300))
                .handler((dev.tether.Delivery d) -> {});
        if (room != null) b.listener(room::onEvent);
        TetherNode n = Tether.start(b.build());
        open.add(n::close);
        return n;
    }
}
