package dev.tether.internal.engine;

import dev.tether.Durability;
import dev.tether.FailurePolicy;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.node.NodeEngineConfig;
import dev.tether.node.TetherConfig;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Two or more engines wired together on one thread with no real time: frames, commits and loads queue up
 * and {@link #run} delivers them in order until nothing is left. Tests can drop frames with a filter.
 */
final class EngineHarness {
    interface FrameFilter {
        boolean pass(NodeId from, NodeId to, ByteBuffer frame);
    }

    final class Node implements EngineOutput {
        final NodeId id;
        InMemoryStore store;
        Engine engine;
        final Map<Long, MessageId> accepted = new HashMap<>();
        final Map<Long, TetherException> rejected = new HashMap<>();
        final Map<StreamKey, Long> acked = new HashMap<>();
        /** What the runtime attached to each stream whose acknowledgment came with the stream at hand, in order. */
        final List<Object> ackedAttachments = new ArrayList<>();

        final List<Outcome> outcomes = new ArrayList<>();
        final List<InboundMessage> delivered = new ArrayList<>();
        final List<TetherEvent> events = new ArrayList<>();
        final List<WriteBatch> batches = new ArrayList<>();
        /** The batches the store committed, in order. */
        final List<WriteBatch> committed = new ArrayList<>();

        long lastFailedBatch;
        int loads;
        /** Sequence numbers the application fails; everything else it acknowledges. */
        final Set<Long> poison = new java.util.HashSet<>();
        /** For a poisoned sequence number: the pause the application asks for before its retry ({@code nack(Duration)}). */
        final Map<Long, Long> retryAfter = new HashMap<>();
        /** Sequence numbers the application settles without processing them: nobody takes them (no such handler). */
        final Set<Long> notTaken = new java.util.HashSet<>();
        /** Sequence numbers the application takes long over: the harness time advances by this many ms. */
        final Map<Long, Long> slow = new HashMap<>();
        /**
         * If set, the application answers each message it processes with this effect (a reply), given with the
         * acknowledgment; null (the function, or what it returns for a message) answers nothing.
         */
        java.util.function.BiFunction<StreamKey, InboundMessage, Effect> replies;
        /**
         * If set, each message handed to the application has these effects of its own (E7, a route's copies): given
         * with its acknowledgment after its reply, or, if it fails, as the effects to store if it is dead-lettered.
         */
        java.util.function.BiFunction<StreamKey, InboundMessage, List<Effect>> routes;
        /** Sequence numbers whose sender withdrew them after they were handed out ({@code cancelRequested}). */
        final List<Long> cancelRequests = new ArrayList<>();
        /** Sequence numbers whose run the application holds on to (not started) until {@link #release}. */
        final Set<Long> hold = new java.util.HashSet<>();

        private final List<Runnable> parked = new ArrayList<>();
        /** While set, the store's commits wait in {@link #heldCommits} until {@link #releaseCommits}: a slow store. */
        boolean holdCommits;

        private final List<Runnable> heldCommits = new ArrayList<>();
        /** What {@code volatileLost} reported: the stream and the sequence number up to which its sends are lost. */
        final List<String> volatileLost = new ArrayList<>();
        /** Outcomes with their stream and sequence number, "lane#seq=OUTCOME". */
        final List<String> outcomesBySeq = new ArrayList<>();

        Node(NodeId id, InMemoryStore store) {
            this.id = id;
            this.store = store;
            this.engine = newEngine();
        }

        /** A new process on the current store: a new boot id, as a real restart has. */
        private Engine newEngine() {
            StoredState state = store.open(Durability.MEMORY);
            dev.tether.spi.StoredChannels channels = store.readChannels();
            Map<String, List<dev.tether.spi.ChannelEntry>> index = new HashMap<>();
            for (dev.tether.spi.ChannelLog l : channels.logs()) {
                index.put(l.channel(), store.readChannelIndex(l.channel(), 1, Integer.MAX_VALUE));
            }
            Engine e = new Engine(config(id), state, channels, index, this, ++boots, maxVolatileBytes);
            e.restoreDropped(DroppedRows.decode(store.readKeys(DroppedRows.NAMESPACE, null, now, 1_000)));
            e.restoreWithdrawn(store.readKeys(WithdrawnMarks.NAMESPACE, null, now, 10_000));
            e.completedAhead().restore(store.readKeys(AheadMarks.NAMESPACE, null, now, 10_000));
            return e;
        }

        @Override
        public void volatileLost(StreamKey key, long upToSeq) {
            volatileLost.add(key + "<=" + upToSeq);
        }

        @Override
        public void transmit(NodeId peer, ByteBuffer frame) {
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame).flip();
            if (filter.pass(id, peer, copy.duplicate())) {
                long link = connections;
                tasks.add(() -> {
                    // Transport rule 4: a frame is never delivered on a later connection than it was sent on.
                    if (!fenceConnections || link == connections) node(peer).input(e -> e.onFrame(now, id, copy));
                });
            }
        }

        @Override
        public void flush() {}

        @Override
        public void persist(long batchId, long afterBatchId, WriteBatch batch) {
            batches.add(batch);
            Engine owner = engine;
            (holdCommits ? heldCommits : tasks).add(() -> {
                if (engine != owner) return; // crashed meanwhile: the batch is lost
                if (afterBatchId != 0 && afterBatchId == lastFailedBatch) {
                    lastFailedBatch = batchId; // as StoreWriter: not attempted after a failure
                    input(e -> e.onCommitFailed(now, batchId, new StoreException("not attempted")));
                    return;
                }
                try {
                    store.commit(batch);
                    committed.add(batch);
                    input(e -> e.onCommitted(now, batchId));
                } catch (RuntimeException ex) {
                    lastFailedBatch = batchId;
                    input(e -> e.onCommitFailed(now, batchId, ex));
                }
            });
        }

        @Override
        public void load(StreamKey key, long fromSeq, int max) {
            loads++;
            Engine owner = engine;
            tasks.add(() -> {
                if (engine == owner) input(e -> e.onLoaded(now, key, StreamPages.read(store, key, fromSeq, max)));
            });
        }

        @Override
        public void accepted(long token, StreamKey key, long seq) {
            accepted.put(token, new MessageId(key.peer(), key.lane(), seq));
        }

        @Override
        public void rejected(long token, TetherException error) {
            rejected.put(token, error);
        }

        @Override
        public void acked(StreamKey key, long upToSeq) {
            acked.put(key, upToSeq);
        }

        @Override
        public void acked(OutboundRef stream, long upToSeq) {
            if (stream.attachment() != null) ackedAttachments.add(stream.attachment());
            acked(stream.key(), upToSeq);
        }

        @Override
        public void outcome(StreamKey key, long seq, Outcome outcome) {
            outcomes.add(outcome);
            outcomesBySeq.add(key.lane() + "#" + seq + "=" + outcome);
        }

        /** The generation of the latest run handed out. */
        long lastGeneration;
        /** The first sequence number of each run handed out, in order. */
        final List<Long> runStarts = new ArrayList<>();
        /** Generations {@code runCanGrow} reported, in order. */
        final List<Long> runsCanGrow = new ArrayList<>();

        @Override
        public void runCanGrow(StreamKey key, long generation) {
            runsCanGrow.add(generation);
        }

        @Override
        public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
            lastGeneration = generation;
            runStarts.add(messages.get(0).seq());
            Engine owner = engine;
            Runnable handle = () -> handle(key, generation, messages);
            tasks.add(() -> {
                if (engine != owner) return;
                if (messages.stream().anyMatch(m -> hold.contains(m.seq()))) parked.add(handle);
                else handle.run();
            });
        }

        /** Lets the held commits go on, and the ones to come. */
        void releaseCommits() {
            holdCommits = false;
            releaseHeldCommits();
        }

        /** Lets the oldest held commit go on, if any; later ones are held again. */
        void releaseOldestCommit() {
            if (!heldCommits.isEmpty()) tasks.add(heldCommits.remove(0));
        }

        /** Lets the held commits go on; later ones are held again. */
        void releaseHeldCommits() {
            tasks.addAll(heldCommits);
            heldCommits.clear();
        }

        /** Lets the held runs go on. */
        void release() {
            hold.clear();
            tasks.addAll(parked);
            parked.clear();
        }

        @Override
        public void cancelRequested(StreamKey key, long senderEpoch, long seq) {
            cancelRequests.add(seq);
        }

        /** The application's side of a run: as the runtime and the call layer handle each message in turn. */
        private void handle(StreamKey key, long generation, List<InboundMessage> messages) {
            {
                long acked = messages.get(0).seq() - 1;
                long failed = 0;
                List<Effect> effects = new ArrayList<>();
                List<Effect> ifDeadLettered = new ArrayList<>();
                for (InboundMessage m : messages) {
                    if (m.expiredAt(now)) { // as the runtime checks right before each hand-out
                        long a = acked;
                        input(e -> e.onExpiredInRun(now, key, generation, a, m.seq(), effects));
                        return;
                    }
                    if (cancelRequests.contains(m.seq())) { // withdrawn before the handler started: skipped
                        long a = acked;
                        input(e -> e.onNotTaken(now, key, generation, a, m.seq(), Outcome.CANCELLED, effects));
                        return;
                    }
                    delivered.add(m);
                    if (notTaken.contains(m.seq())) {
                        long a = acked;
                        input(e -> e.onNotTaken(now, key, generation, a, m.seq(), Outcome.NO_SUCH_HANDLER, effects));
                        return;
                    }
                    now += slow.getOrDefault(m.seq(), 0L);
                    List<Effect> routed = routes == null ? List.of() : routes.apply(key, m);
                    if (poison.contains(m.seq())) {
                        failed = m.seq();
                        ifDeadLettered.addAll(routed);
                        break;
                    }
                    acked = m.seq();
                    Effect reply = replies == null ? null : replies.apply(key, m);
                    if (reply != null) effects.add(reply);
                    effects.addAll(routed);
                }
                long a = acked, f = failed;
                long pause = retryAfter.getOrDefault(f, Engine.RETRY_PER_POLICY);
                input(e -> e.onSettled(
                        now,
                        new Settlement(
                                key, generation, a, f, f == 0 ? null : "poison", pause, effects, ifDeadLettered)));
            }
        }

        @Override
        public void event(TetherEvent event) {
            events.add(event);
        }

        /** Tokens of {@link Engine#writeKeys} reported durable, in order. */
        final List<Long> written = new ArrayList<>();

        @Override
        public void written(long token) {
            written.add(token);
        }

        void input(java.util.function.Consumer<Engine> in) {
            in.accept(engine);
            if (!bursts) engine.endTurn(now);
        }

        long send(NodeId to, String lane, String payload) {
            return send(to, lane, payload, 0);
        }

        long send(NodeId to, String lane, String payload, long expiresAt) {
            long token = ++tokens;
            input(e -> e.send(now, token, to, lane, Map.of(), payload.getBytes(), expiresAt));
            return token;
        }

        long publish(String channel, String payload) {
            long token = ++tokens;
            input(e -> e.publish(now, token, channel, Map.of(), payload.getBytes(), 0));
            return token;
        }

        /** Drops the engine (and its queued work) and starts again from the committed store. */
        void crash() {
            cancelRequests.clear(); // the application's memory of the process
            store = store.reopenAfterCrash();
            engine = newEngine();
        }

        void wipe() {
            store = new InMemoryStore(random);
            engine = newEngine();
        }

        List<String> payloads() {
            List<String> l = new ArrayList<>();
            for (InboundMessage m : delivered) l.add(new String(m.payload()));
            return l;
        }
    }

    final Random random = new Random(42);
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    final Map<NodeId, Node> nodes = new HashMap<>();
    long now = 1_000;
    long tokens;
    /** Boot ids handed out so far: each engine (each simulated process) gets the next. */
    long boots;

    long maxVolatileBytes = EngineConfig.DEFAULT_MAX_VOLATILE_BYTES;
    long pageBudgetBytes = EngineConfig.DEFAULT_PAGE_BUDGET_BYTES;
    /** Counts connects and disconnects; with {@link #fenceConnections}, frames sent before one are dropped. */
    long connections;
    /** Whether frames in flight are lost when a connection ends, as a real transport's are (Transport rule 4). */
    boolean fenceConnections;

    int window = 8;
    FrameFilter filter = (f, t, b) -> true;
    RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0);
    FailurePolicy failurePolicy = FailurePolicy.DEAD_LETTER;

    /** Null: the harness's small, fast test settings above; else how each node's public configuration is built. */
    private final UnaryOperator<TetherConfig.Builder> nodeConfig;

    EngineHarness(String... ids) {
        this(null, ids);
    }

    private EngineHarness(UnaryOperator<TetherConfig.Builder> nodeConfig, String... ids) {
        this.nodeConfig = nodeConfig;
        for (String s : ids) nodes.put(NodeId.of(s), null);
        for (String s : ids) nodes.put(NodeId.of(s), new Node(NodeId.of(s), new InMemoryStore(random)));
    }

    /**
     * Engines configured exactly as a node built with {@link TetherConfig}'s defaults, changed only by {@code
     * customize}, on an in-memory store: for tests of the timings and limits the documentation promises. The
     * harness's own settings ({@link #window}, {@link #retry}, ...) do not apply.
     */
    static EngineHarness withNodeDefaults(UnaryOperator<TetherConfig.Builder> customize, String... ids) {
        return new EngineHarness(customize, ids);
    }

    EngineConfig config(NodeId self) {
        Set<NodeId> peers = new java.util.HashSet<>(nodes.keySet());
        peers.remove(self);
        if (nodeConfig != null) {
            TetherConfig.Builder b = TetherConfig.builder(self)
                    .peers(peers)
                    .transport(new InMemoryNetwork().newTransport())
                    .store(new InMemoryStore())
                    .durability(Durability.MEMORY);
            return NodeEngineConfig.of(nodeConfig.apply(b).build(), MAX_RUN);
        }
        return new EngineConfig(self, peers, window, 4096, 1000, 100, 1000, retry, failurePolicy, 4)
                .withPageBudgetBytes(pageBudgetBytes);
    }

    /** Messages per delivery run with {@link #withNodeDefaults}, as the node runtime's. */
    static final int MAX_RUN = 256;

    Node node(String id) {
        return nodes.get(NodeId.of(id));
    }

    Node node(NodeId id) {
        return nodes.get(id);
    }

    void connect(String a, String b) {
        connections++;
        node(a).input(e -> e.onPeerUp(now, NodeId.of(b)));
        node(b).input(e -> e.onPeerUp(now, NodeId.of(a)));
    }

    void disconnect(String a, String b) {
        connections++;
        node(a).input(e -> e.onPeerDown(now, NodeId.of(b)));
        node(b).input(e -> e.onPeerDown(now, NodeId.of(a)));
    }

    /**
     * With {@link #runBursts}: inputs are not followed by their own end of turn; each node ends its turn once per burst,
     * as the node loop does after a burst of inputs ({@link Engine#endTurn}).
     */
    boolean bursts;

    /**
     * Runs queued work in bursts until none is left: each burst runs the tasks queued before it (the work they queue
     * waits for the next burst), then ends every node's turn. Returns the number of bursts.
     */
    int runBursts() {
        bursts = true;
        int n = 0;
        do {
            runBurst(); // the first ends the turn of inputs given since the last burst
            if (++n > 1_000_000) throw new AssertionError("no quiescence after 1,000,000 bursts");
        } while (!tasks.isEmpty());
        return n;
    }

    /** One burst of {@link #runBursts}. */
    void runBurst() {
        bursts = true;
        for (int i = tasks.size(); i > 0; i--) tasks.poll().run();
        for (Node n : nodes.values()) n.engine.endTurn(now);
    }

    /** Runs queued work until none is left; returns the number of steps. */
    int run() {
        int steps = 0;
        while (!tasks.isEmpty()) {
            tasks.poll().run();
            if (++steps > 1_000_000) throw new AssertionError("no quiescence after 1,000,000 steps");
        }
        return steps;
    }

    /** Advances time by {@code millis}, ticking every node, and runs to quiescence. */
    void advance(long millis) {
        now += millis;
        for (Node n : nodes.values()) n.input(e -> e.onTick(now));
        run();
    }
}
