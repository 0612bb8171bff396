package dev.tether.testkit.sim;

import dev.tether.ChannelOptions;
import dev.tether.Channels;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.ProtocolException;
import dev.tether.StoreException;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.internal.engine.DroppedRows;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineConfig;
import dev.tether.internal.engine.EngineOutput;
import dev.tether.internal.engine.Frame;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.Settlement;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.engine.StreamPages;
import dev.tether.internal.engine.WithdrawnMarks;
import dev.tether.internal.runtime.KeyPages;
import dev.tether.spi.ChannelEntry;
import dev.tether.spi.ChannelLog;
import dev.tether.spi.ChannelMessage;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.KeyValue;
import dev.tether.spi.OutboundState;
import dev.tether.spi.Store;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.StoredState;
import dev.tether.spi.WriteBatch;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Acked;
import dev.tether.testkit.sim.HistoryEvent.AgentDelivered;
import dev.tether.testkit.sim.HistoryEvent.AgentSent;
import dev.tether.testkit.sim.HistoryEvent.AheadStored;
import dev.tether.testkit.sim.HistoryEvent.Anomaly;
import dev.tether.testkit.sim.HistoryEvent.CancelledInRun;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.ConcurrentLanes;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.DeadLettered;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.DroppedAtSender;
import dev.tether.testkit.sim.HistoryEvent.Expired;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Rejected;
import dev.tether.testkit.sim.HistoryEvent.ReplyMade;
import dev.tether.testkit.sim.HistoryEvent.Restarted;
import dev.tether.testkit.sim.HistoryEvent.Resynced;
import dev.tether.testkit.sim.HistoryEvent.SendExpired;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import dev.tether.testkit.sim.HistoryEvent.Stopped;
import dev.tether.testkit.sim.HistoryEvent.Stuck;
import dev.tether.testkit.sim.HistoryEvent.Withdrawn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A deterministic simulation of several Tether nodes, each an {@link Engine} with its own store (an {@link
 * InMemoryStore} unless a {@link StoreFactory} says otherwise) and a simulated application, on one thread under one seed. Time is simulated (milliseconds); every effect
 * (frame delivery, store commit, outbox read, application step, timer tick, fault) is an event in a priority
 * queue ordered by (time, insertion order), so a seed replays exactly.
 *
 * <p>The network delivers each frame after a random latency (which reorders frames), may drop, duplicate or
 * long-delay it, and follows the Transport SPI: each side of a connection learns of its ups and downs on its
 * own, after its own delay, and they alternate; a frame arrives only on the connection it was sent on (unless
 * {@link SimConfig#crossConnection()}), and not before the receiving side has seen that connection come up.
 * Faults (all drawn from the seed): frame loss, duplication and delay, single connections going down and up,
 * partitions, crashes of one or several nodes (the engine, its uncommitted batches and its in-flight work
 * vanish; the node restarts later from exactly its committed store), failed commits and failed outbox reads.
 * A node's store commits the batches its engine hands over one at a time, in order, like the runtime's store
 * writer, and does not attempt a batch queued behind one that failed; seeds vary how many batches the engine
 * may have in flight and how many sends one holds.
 * The workload sends messages with unique ids between random nodes on a few lanes, singly, in bursts and
 * sometimes as a backlog larger than the sender's in-memory page; some expire, some always fail ("poison"),
 * some fail once, some go to unknown nodes or beyond a small queue limit. At the end of the fault phase the
 * network heals, crashed nodes restart and the run continues until every outbound stream is fully
 * acknowledged, or counts as stuck.
 *
 * <p>Everything observed goes into a history of {@link HistoryEvent}s, which {@link HistoryChecker} checks;
 * engine protocol errors, resyncs (no store is ever wiped), rejected batches and memory beyond its bound are
 * recorded as anomalies.
 */
public final class Simulation {
    /** Simulated time at the start of a run. */
    public static final long START = 1_000_000;

    /** How often each node's engine gets {@link Engine#onTick}. */
    public static final long TICK_MILLIS = 10;

    /** How long a shutting-down node lets its store finish what was decided, at most (as the runtime does). */
    static final long STORE_GRACE_MILLIS = 2_000;

    /** A run processing more events than this counts as stuck (a livelock). */
    public static final long MAX_EVENTS = 20_000_000;

    private static final byte POISON = 1;
    /** A request: its receiver answers it with a reply, given with the acknowledgment (settle-with-effects). */
    private static final byte REQUEST = 2;
    /** A reply: after the id and flags, the request's message id. */
    private static final byte REPLY = 4;

    private static final int ID_BYTES = 9;
    /** The lane replies travel on, as the call layer's. */
    static final String REPLY_LANE = "_reply";

    private static final NodeId UNKNOWN = NodeId.of("unknown");

    /** The key-value namespace of the markers of messages completed ahead, as the runtime's. */
    static final String AHEAD = "_ahead";

    /**
     * Deliberate misbehaviour of the simulated application, once per run, so tests can show that the whole
     * pipeline (simulation, history, checker) notices what it must.
     */
    enum Sabotage {
        NONE,
        /** Acknowledge a message without processing (recording) it: a loss. */
        SKIP_ONE,
        /** Answer a request without giving its reply with the acknowledgment: a reply lost after its cursor. */
        LOSE_REPLY,
        /** Complete a caller's future twice. */
        COMPLETE_TWICE,
        /** Process a message twice: a duplicate. */
        PROCESS_TWICE,
        /** Process the messages of a run in reverse order: a reorder. */
        REVERSE_RUN,
        /** Start again a message a concurrent handler completed ahead (ignore its marker once): a duplicate. */
        FORGET_AHEAD,
        /** Hand a message between endpoints out as coming from another endpoint than its sender, once. */
        MISATTRIBUTE,
        /** Never send a CANCEL again (the engine before it did): a lost one loses the withdrawal. */
        NO_CANCEL_RESEND,
        /** Process a channel message of a reader that joined again twice, in its generation: a duplicate. */
        CHANNEL_TWICE
    }

    private final SimConfig cfg;
    private final StoreFactory stores;
    private final boolean tracing;
    private final Sabotage sabotage;
    private final Random rng;
    /** With cancellations: the rule that a withdrawal the network lost is sent again ({@link CancelResends}). */
    private final CancelResends cancelResends;
    /** With channels: the join generation each channel message reaches its reader in ({@link ReaderGenerations}). */
    private final ReaderGenerations generations = new ReaderGenerations();

    private final List<HistoryEvent> history = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final PriorityQueue<Ev> queue =
            new PriorityQueue<>(Comparator.comparingLong((Ev e) -> e.time).thenComparingLong(e -> e.order));
    private final Node[] nodes;
    private final Conn[][] conns;
    private final String[] lanes;
    /** Per node, the names of its endpoints when {@code agents} is above 0 (agent {@code i} on node {@code i % nodes}). */
    private final List<List<String>> agentsOf = new ArrayList<>();
    /** The channels nodes publish on when {@code publishRate} is above 0: one per lane. */
    private final String[] channels;
    /** Retention of the channels in about half the runs with channels: set on every log at every start. */
    private final Map<String, ChannelOptions> retention = new HashMap<>();
    /** (publisher, reader, channel) triples the workload made readers: a later join of one starts at the log's end. */
    private final Set<String> everJoined = new HashSet<>();
    /** Triples that are readers as far as the workload knows (a crash may have lost a join not stored yet). */
    private final Set<String> joined = new HashSet<>();

    private long now = START;
    private long order;
    private long events;
    /** Queued events other than ticks. */
    private long pendingWork;
    /** Incremented when the network heals: heal and restart events of earlier faults are void. */
    private int faultGen;

    private boolean healed;
    private long nextMsgId = 1;
    private long nextToken = 1;
    private int sentCount;
    private double dropRate;
    private double dupRate;
    private double delayRate;
    private double commitFailRate;
    private double loadFailRate;
    private int processedCount;

    /** Runs {@code cfg} over in-memory stores; trace steps if {@code tracing}. */
    public Simulation(SimConfig cfg, boolean tracing) {
        this(cfg, StoreFactory.IN_MEMORY, tracing);
    }

    /**
     * Runs {@code cfg} with the stores of {@code stores} (a new factory per run); trace steps if {@code
     * tracing}.
     */
    public Simulation(SimConfig cfg, StoreFactory stores, boolean tracing) {
        this(cfg, stores, tracing, Sabotage.NONE);
    }

    Simulation(SimConfig cfg, boolean tracing, Sabotage sabotage) {
        this(cfg, StoreFactory.IN_MEMORY, tracing, sabotage);
    }

    private Simulation(SimConfig cfg, StoreFactory stores, boolean tracing, Sabotage sabotage) {
        this.cfg = cfg;
        this.stores = stores;
        this.tracing = tracing;
        this.sabotage = sabotage;
        this.cancelResends = cfg.cancelRate() > 0 ? new CancelResends(cfg.maxRetransmitMillis(), TICK_MILLIS) : null;
        this.rng = new Random(cfg.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        this.dropRate = cfg.dropRate();
        this.dupRate = cfg.dupRate();
        this.delayRate = cfg.delayRate();
        this.commitFailRate = cfg.commitFailRate();
        this.loadFailRate = cfg.loadFailRate();
        if (cfg.agents() != 0 && cfg.agents() < cfg.nodes()) {
            throw new IllegalArgumentException("agents " + cfg.agents() + ": at least one per node, or none");
        }
        this.nodes = new Node[cfg.nodes()];
        for (int i = 0; i < nodes.length; i++) nodes[i] = new Node(i);
        this.conns = new Conn[nodes.length][nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) {
                conns[i][j] = new Conn();
                conns[j][i] = conns[i][j];
            }
        }
        this.lanes = new String[cfg.lanes()];
        for (int i = 0; i < lanes.length; i++) lanes[i] = "lane" + i;
        for (int i = 0; i < nodes.length; i++) agentsOf.add(new ArrayList<>());
        for (int i = 0; i < cfg.agents(); i++) agentsOf.get(i % nodes.length).add("ag" + i);
        this.channels = new String[cfg.publishRate() > 0 ? cfg.lanes() : 0];
        for (int i = 0; i < channels.length; i++) channels[i] = "ch" + i;
        // Drawn apart from rng, so that the runs of earlier seeds keep their random sequence.
        Random r = new Random(cfg.seed() ^ 0x5DEECE66DL);
        for (String ch : channels) {
            if (r.nextBoolean()) continue;
            ChannelOptions o = ChannelOptions.unlimited().withMaxMessages(2 + r.nextInt(30));
            if (r.nextInt(3) == 0) o = o.withMaxBytes(50 + r.nextInt(400));
            if (r.nextInt(3) == 0) o = o.withMaxAge(Duration.ofMillis(100 + r.nextInt(2000)));
            if (r.nextInt(4) == 0) o = o.whenFull(ChannelOptions.WhenFull.REJECT);
            retention.put(ch, o);
        }
    }

    /** Runs the simulation of {@code seed}'s random configuration. */
    public static SimResult run(long seed) {
        return new Simulation(SimConfig.random(seed), false).run();
    }

    // ---- the event loop -----------------------------------------------------------------------------------

    private static final class Ev {
        final long time;
        final long order;
        final boolean tick;
        final Runnable action;

        Ev(long time, long order, boolean tick, Runnable action) {
            this.time = time;
            this.order = order;
            this.tick = tick;
            this.action = action;
        }
    }

    private void schedule(long at, boolean tick, Runnable action) {
        queue.add(new Ev(Math.max(at, now), order++, tick, action));
        if (!tick) pendingWork++;
    }

    /** Runs until drained or stuck, then checks the history. */
    public SimResult run() {
        if (cfg.concurrency() > 1) history.add(new ConcurrentLanes(now, cfg.concurrency()));
        for (Node n : nodes) n.start();
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) reconcile(nodes[i], nodes[j]);
        }
        scheduleSend();
        if (channels.length > 0) startChannels();
        if (cfg.bulk() > 0) schedule(START + (long) (rng.nextDouble() * cfg.sendPhaseMillis()), false, this::bulk);
        if (cfg.linkFlaps() || cfg.partitions() || cfg.crashes() || cfg.shutdowns()) scheduleFault();
        schedule(START + cfg.faultPhaseMillis(), false, this::heal);

        long limit = START + cfg.faultPhaseMillis() + cfg.drainLimitMillis();
        boolean drained = false;
        String stuck = null;
        try {
            while (!queue.isEmpty()) {
                Ev e = queue.poll();
                if (e.time > limit) break;
                if (++events > MAX_EVENTS) {
                    stuck = "more than " + MAX_EVENTS + " events (livelock?)";
                    break;
                }
                now = e.time;
                if (!e.tick) pendingWork--;
                e.action.run();
                if (healed && e.tick && pendingWork == 0 && drained()) {
                    drained = true;
                    break;
                }
            }
        } catch (RuntimeException ex) {
            StringWriter w = new StringWriter();
            ex.printStackTrace(new PrintWriter(w));
            history.add(new Anomaly(now, "-", "exception at t=" + now + ": " + w));
            stuck = "aborted by the exception";
        }
        if (!drained) history.add(new Stuck(now, stuck != null ? stuck : stuckDetails()));
        if (drained && sabotage != Sabotage.FORGET_AHEAD) checkNoMarksLeft();
        if (cancelResends != null) counters.put("withdrawalsResentAfterLoss", cancelResends.resentAfterLoss());
        closeStores();
        CheckReport report = HistoryChecker.check(history);
        return new SimResult(
                cfg,
                List.copyOf(history),
                report,
                drained,
                now - START,
                events,
                Map.copyOf(counters),
                List.copyOf(trace));
    }

    /**
     * Drained, every message is settled: no mark of a message completed ahead may be left, in an engine or a store
     * (the cursor that passed it deleted it, whatever way it passed).
     */
    private void checkNoMarksLeft() {
        for (Node n : nodes) {
            int kept = n.engine.completedAhead().size();
            List<KeyValue> stored = KeyPages.readAll(n.store, AHEAD, now);
            if (kept > 0 || !stored.isEmpty()) {
                history.add(new Anomaly(
                        now,
                        n.name,
                        "marks of messages completed ahead left after draining: " + kept + " in the engine, stored "
                                + stored.stream().map(KeyValue::key).toList()));
            }
        }
    }

    /** Closes every node's store at the end of the run (real stores hold files). */
    private void closeStores() {
        for (Node n : nodes) {
            try {
                n.store.close();
            } catch (RuntimeException e) {
                history.add(new Anomaly(now, n.name, "closing the store failed: " + e));
            }
        }
    }

    private boolean drained() {
        for (Node n : nodes) {
            if (!n.alive || !n.engine.unackedByPeer().isEmpty() || !n.engine.storeIdle()) return false;
        }
        return true;
    }

    private String stuckDetails() {
        StringBuilder b = new StringBuilder("not drained at t=" + (now - START) + "; queued work " + pendingWork);
        for (Node n : nodes) {
            b.append("\n    ").append(n.name);
            if (!n.alive) {
                b.append(" down");
                continue;
            }
            b.append(" unacked=")
                    .append(new TreeMap<>(n.engine.unackedByPeer()))
                    .append(" connected=")
                    .append(n.engine.connectedPeers())
                    .append(" storeIdle=")
                    .append(n.engine.storeIdle());
            for (StreamStats s : n.engine.streamStats()) {
                if (s.lastSeq() > s.cursor()) b.append("\n      ").append(s);
            }
        }
        return b.toString();
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    private void trace(String line) {
        trace.add((now - START) + " " + line);
    }

    private long exp(double mean) {
        return 1 + (long) (-mean * Math.log(1 - rng.nextDouble()));
    }

    // ---- the workload -------------------------------------------------------------------------------------

    private void scheduleSend() {
        double meanGap = cfg.sendPhaseMillis() * 1.8 / cfg.messages();
        schedule(now + exp(meanGap), false, () -> {
            if (sentCount >= cfg.messages() || now > START + cfg.sendPhaseMillis()) return;
            Node from = randomAlive();
            if (from != null) {
                int burst = rng.nextInt(5) == 0 ? 2 + rng.nextInt(7) : 1;
                if (cfg.agents() > 0) burst = 1 + rng.nextInt(8); // one agent's messages, half of them to one peer
                int fromAgent = cfg.agents() > 0 ? drawAgent(from) : -1;
                int toAgent = -1;
                for (int k = 0; k < burst && sentCount < cfg.messages(); k++) {
                    // Drawn only with channels on, so a seed without them replays the run it had before they existed.
                    if (channels.length > 0 && rng.nextDouble() < cfg.publishRate()) {
                        publish(from, channels[rng.nextInt(channels.length)]);
                        continue;
                    }
                    if (cfg.agents() > 0) {
                        if (toAgent < 0 || rng.nextBoolean()) toAgent = drawAgent(null);
                        agentSend(from, fromAgent, toAgent);
                        continue;
                    }
                    NodeId to = rng.nextDouble() < cfg.unknownPeerRate() ? UNKNOWN : destination(from);
                    send(from, to, lanes[rng.nextInt(lanes.length)]);
                }
                from.endTurn();
            }
            scheduleSend();
        });
    }

    // ---- channels: shared logs and their readers -----------------------------------------------------------

    /** Half the (publisher, reader, channel) triples join at the start; the others come and go during the run. */
    private void startChannels() {
        for (Node p : nodes) {
            for (String ch : channels) {
                for (Node r : nodes) {
                    if (r != p && rng.nextInt(2) == 0) join(p, r, ch);
                }
            }
            p.endTurn();
        }
        scheduleMembership();
    }

    private void scheduleMembership() {
        double changes = cfg.membershipChanges() > 0 ? cfg.membershipChanges() : 8;
        schedule(now + exp(cfg.sendPhaseMillis() / changes), false, () -> {
            if (now > START + cfg.sendPhaseMillis()) return;
            Node p = randomAlive();
            if (p != null && !p.closing) {
                Node r = randomPeer(p);
                String ch = channels[rng.nextInt(channels.length)];
                if (joined.contains(triple(p, r, ch)) && rng.nextInt(3) == 0) leave(p, r, ch);
                else join(p, r, ch);
                p.endTurn();
            }
            scheduleMembership();
        });
    }

    private static String triple(Node p, Node r, String ch) {
        return p.name + ">" + r.name + "/" + ch;
    }

    /**
     * {@code p} adds {@code r} as a reader of its log of {@code ch}: at the log's end, or the first time sometimes
     * from an earlier position (clamped by the engine to what the log holds). A reader that joins again after it
     * left starts at the end: its own cursor of the stream lies beyond any earlier start.
     */
    private void join(Node p, Node r, String ch) {
        String t = triple(p, r, ch);
        long after = everJoined.add(t) && rng.nextInt(3) == 0 ? rng.nextInt(40) : Engine.LOG_END;
        joined.add(t);
        long start = p.engine.addReader(p.now(), ch, r.id, after);
        count("channelJoinCalls");
        if (tracing) trace(p.name + " adds reader " + r.name + " of " + ch + " after " + after + ": " + start);
    }

    private void leave(Node p, Node r, String ch) {
        joined.remove(triple(p, r, ch));
        boolean was = p.engine.removeReader(p.now(), ch, r.id);
        if (tracing) trace(p.name + " removes reader " + r.name + " of " + ch + ": " + was);
    }

    /** The application of {@code from} publishes on {@code ch}: recorded as a send to itself on the channel's lane. */
    private void publish(Node from, String ch) {
        long msgId = nextMsgId++;
        long token = nextToken++;
        boolean poison = rng.nextDouble() < cfg.poisonRate();
        long expiresAt = rng.nextDouble() < cfg.ttlRate() ? now + 1 + rng.nextInt(300) : 0;
        ByteBuffer payload = ByteBuffer.allocate(ID_BYTES + rng.nextInt(cfg.maxPadding() + 1));
        payload.putLong(msgId).put(poison ? POISON : 0);
        history.add(new Sent(now, from.name, token, msgId, from.name, Channels.lane(ch)));
        if (tracing) trace(from.name + " publish msg " + msgId + " on " + ch + " token " + token);
        sentCount++;
        count("publishCalls");
        if (from.closing) {
            from.rejected(token, "node shut down; publish rejected at once");
            return;
        }
        from.openTokens.add(token);
        from.engine.publish(from.now(), token, ch, Map.of(), payload.array(), expiresAt);
    }

    private void bulk() {
        Node from = randomAlive();
        if (from == null) return;
        if (cfg.agents() > 0) {
            int fromAgent = drawAgent(from);
            int toAgent = drawAgent(null);
            for (int k = 0; k < cfg.bulk(); k++) agentSend(from, fromAgent, toAgent);
            from.endTurn();
            return;
        }
        Node to = randomPeer(from);
        String lane = lanes[rng.nextInt(lanes.length)];
        for (int k = 0; k < cfg.bulk(); k++) send(from, to.id, lane);
        from.endTurn();
    }

    // ---- endpoints (agents) ----------------------------------------------------------------------------------

    /** A random agent of {@code node}, or of any node if null: its number. */
    private int drawAgent(Node node) {
        if (node == null) return rng.nextInt(cfg.agents());
        int perNode = agentsOf.get(node.index).size();
        return node.index + nodes.length * rng.nextInt(perNode);
    }

    /**
     * Agent {@code fromAgent} of {@code from} sends to agent {@code toAgent} on its lane, with {@code :f}, as the bus
     * layer does; an unknown node instead sometimes, as for plain sends.
     */
    private void agentSend(Node from, int fromAgent, int toAgent) {
        Node home = nodes[toAgent % nodes.length];
        NodeId to = rng.nextDouble() < cfg.unknownPeerRate() ? UNKNOWN : home.id;
        if (home == from) count("sentToSelf");
        send(from, to, "_a.ag" + toAgent, "ag" + fromAgent);
    }

    private void send(Node from, NodeId to, String lane) {
        send(from, to, lane, null);
    }

    private void send(Node from, NodeId to, String lane, String fromAgent) {
        Submission s = submit(from, to, lane, fromAgent);
        if (from.closing) from.rejected(s.token(), "node shut down; send rejected at once");
        else {
            // Drawn only with drops on, so a seed without them replays the run it had before they existed.
            if (cfg.dropOldestRate() > 0 && rng.nextDouble() < cfg.dropOldestRate()) dropOldest(from, to, lane);
            s.run();
        }
        sentCount++;
    }

    /** {@code from}'s stream to {@code to} on {@code lane} is full under DROP_OLDEST: room is made for the next send. */
    private void dropOldest(Node from, NodeId to, String lane) {
        boolean dropped = from.engine.dropOldest(from.now(), new StreamKey(to, lane));
        count(dropped ? "dropOldestCalls" : "dropOldestNothing");
        if (tracing) trace(from.name + " drop oldest of " + to + "/" + lane + ": " + dropped);
    }

    /**
     * The application of {@code from} calls send: recorded now; {@link Submission#run} hands it to the engine
     * (the runtime's node thread takes it).
     */
    private Submission submit(Node from, NodeId to, String lane) {
        return submit(from, to, lane, null);
    }

    /** As {@link #submit(Node, NodeId, String)}, from endpoint {@code fromAgent} if not null. */
    private Submission submit(Node from, NodeId to, String lane, String fromAgent) {
        long msgId = nextMsgId++;
        long token = nextToken++;
        boolean poison = rng.nextDouble() < cfg.poisonRate();
        long expiresAt = rng.nextDouble() < cfg.ttlRate() ? now + 1 + rng.nextInt(300) : 0;
        ByteBuffer payload = ByteBuffer.allocate(ID_BYTES + rng.nextInt(cfg.maxPadding() + 1));
        // Drawn only when requests are on, so a seed without them replays the run it had before they existed.
        boolean request = cfg.requestRate() > 0 && rng.nextDouble() < cfg.requestRate();
        if (request) expiresAt = now + 50 + rng.nextInt(1000); // every call has a deadline
        payload.putLong(msgId).put((byte) ((poison ? POISON : 0) | (request ? REQUEST : 0)));
        Map<String, String> headers = rng.nextInt(4) == 0 ? Map.of("m", Long.toString(msgId)) : Map.of();
        history.add(new Sent(now, from.name, token, msgId, to.value(), lane));
        if (fromAgent != null) {
            headers = headers.isEmpty() ? Map.of(":f", fromAgent) : Map.of("m", Long.toString(msgId), ":f", fromAgent);
            history.add(new AgentSent(now, from.name, msgId, fromAgent, to.value(), lane.substring(3)));
        }
        if (request) from.calls.waiting(now, msgId, token, expiresAt);
        // Drawn only with cancellations on, so a seed without them replays the run it had before they existed.
        if (request && cfg.cancelRate() > 0 && rng.nextDouble() < cfg.cancelRate()) {
            from.later(1 + rng.nextInt((int) (expiresAt - now)), () -> from.cancel(msgId));
        }
        if (tracing) trace(from.name + " send msg " + msgId + " -> " + to + "/" + lane + " token " + token);
        return new Submission(from, token, to, lane, headers, payload.array(), expiresAt);
    }

    /** A send on its way to the node thread. */
    private record Submission(
            Node from,
            long token,
            NodeId to,
            String lane,
            Map<String, String> headers,
            byte[] payload,
            long expiresAt) {
        void run() {
            from.openTokens.add(token);
            from.engine.send(from.now(), token, to, lane, headers, payload, expiresAt);
        }
    }

    private Node randomAlive() {
        List<Node> alive = new ArrayList<>();
        for (Node n : nodes) {
            if (n.alive) alive.add(n);
        }
        return alive.isEmpty() ? null : alive.get(rng.nextInt(alive.size()));
    }

    /**
     * Where a send of {@code from} goes: another node, or with loopback streams on sometimes {@code from} itself (drawn
     * only then, so a seed without them replays the run it had before they existed).
     */
    private NodeId destination(Node from) {
        if (cfg.loopbackRate() > 0 && rng.nextDouble() < cfg.loopbackRate()) {
            count("sentToSelf");
            return from.id;
        }
        return randomPeer(from).id;
    }

    /** Whether node {@code from} runs incarnation {@code inc} still and sees connection {@code gen} to {@code to} up. */
    private boolean sameConnection(int from, int inc, int to, int gen) {
        Node n = nodes[from];
        return n.current(inc) && n.viewUp[to] && n.viewGen[to] == gen;
    }

    private Node randomPeer(Node self) {
        int i = rng.nextInt(nodes.length - 1);
        return nodes[i >= self.index ? i + 1 : i];
    }

    // ---- the network --------------------------------------------------------------------------------------

    /** The connection between two nodes: up while both are alive and no fault holds it down. */
    private static final class Conn {
        boolean up;
        /** Incremented on every up and down: frames sent on an earlier connection are discarded. */
        int gen;
        /** Faults currently holding this connection down. */
        int blockers;
    }

    private void reconcile(Node a, Node b) {
        Conn c = conns[a.index][b.index];
        boolean should = c.blockers == 0 && a.alive && b.alive;
        if (should == c.up) return;
        c.up = should;
        c.gen++;
        history.add(new HistoryEvent.Link(now, a.name, b.name, should));
        if (tracing) trace("link " + a.name + "-" + b.name + (should ? " up" : " down"));
        notify(a, b, should, c.gen);
        notify(b, a, should, c.gen);
    }

    /**
     * Tells {@code x}, after its own delay, that its connection to {@code peer} went up or down. Each node
     * learns of changes in the order they happened, so its ups and downs alternate (Transport SPI rule 4).
     */
    private void notify(Node x, Node peer, boolean up, int gen) {
        if (!x.alive) return;
        long at = Math.max(x.notifyAt[peer.index], now + rng.nextInt(cfg.maxNotifyDelay() + 1));
        x.notifyAt[peer.index] = at;
        int inc = x.incarnation;
        schedule(at, false, () -> {
            if (!x.current(inc)) return;
            x.viewUp[peer.index] = up;
            x.viewGen[peer.index] = gen;
            if (tracing) trace(x.name + " sees " + peer.name + (up ? " up" : " down"));
            if (up) x.input(e -> e.onPeerUp(now, peer.id));
            else x.input(e -> e.onPeerDown(now, peer.id));
        });
    }

    /** Delivers {@code frame}, sent on connection {@code gen}, after a random latency. */
    private void ship(Node from, Node to, Conn c, int gen, byte[] frame) {
        int fromInc = from.incarnation;
        long latency = 1 + rng.nextInt(cfg.maxLatency());
        if (delayRate > 0 && rng.nextDouble() < delayRate) {
            count("framesDelayed");
            latency += rng.nextInt(1000);
        }
        schedule(now + latency, false, () -> arrive(from, fromInc, to, c, gen, frame));
    }

    private void arrive(Node from, int fromInc, Node to, Conn c, int gen, byte[] frame) {
        if (!c.up || c.gen != gen) {
            // The connection it was sent on is gone. A transport that delays frames on the sending side may still
            // deliver it on the current connection, unless the sending process died meanwhile.
            if (!c.up || from.incarnation != fromInc || !cfg.crossConnection()) {
                count("framesStale");
                return;
            }
            count("framesCrossConnection");
            gen = c.gen;
        }
        if (!to.viewUp[from.index] || to.viewGen[from.index] != gen) {
            count("framesHeld"); // The receiver has not noticed this connection yet: hold the frame until it does.
            int g = gen;
            schedule(now + 1, false, () -> arrive(from, fromInc, to, c, g, frame));
            return;
        }
        if (tracing) trace(to.name + " <- " + from.name + " " + describe(frame));
        to.input(e -> e.onFrame(now, from.id, ByteBuffer.wrap(frame)));
    }

    private static String describe(byte[] frame) {
        Frame f;
        try {
            f = FrameCodec.decode(ByteBuffer.wrap(frame));
        } catch (ProtocolException e) {
            return "undecodable frame: " + e.getMessage();
        }
        if (f instanceof Frame.Data d) {
            StringBuilder b = new StringBuilder("DATA(" + d.lane() + ", e=" + Long.toHexString(d.senderEpoch()) + ", "
                    + d.firstSeq() + ".." + (d.firstSeq() + d.messages().size() - 1) + ", flags=");
            for (Frame.Message m : d.messages()) b.append(m.flags());
            return b.append(')').toString();
        }
        return f.toString();
    }

    // ---- faults -------------------------------------------------------------------------------------------

    private void scheduleFault() {
        schedule(now + exp(cfg.meanFaultGapMillis()), false, () -> {
            if (healed || now >= START + cfg.faultPhaseMillis()) return;
            injectFault();
            scheduleFault();
        });
    }

    private void injectFault() {
        List<Runnable> kinds = new ArrayList<>();
        if (cfg.linkFlaps()) kinds.add(this::flap);
        if (cfg.partitions()) kinds.add(this::partition);
        if (cfg.crashes()) {
            kinds.add(this::crashOne);
            kinds.add(this::crashOne);
            kinds.add(this::crashSeveral);
        }
        if (cfg.shutdowns()) kinds.add(this::shutdownOne);
        kinds.get(rng.nextInt(kinds.size())).run();
    }

    private void flap() {
        Node a = nodes[rng.nextInt(nodes.length)];
        Node b = randomPeer(a);
        count("faultFlap");
        block(List.of(new Pair(a, b)), 1 + rng.nextInt(500));
    }

    private void partition() {
        boolean[] side = new boolean[nodes.length];
        int left = 0;
        for (int i = 0; i < nodes.length; i++) {
            side[i] = rng.nextBoolean();
            if (side[i]) left++;
        }
        if (left == 0 || left == nodes.length) return;
        count("faultPartition");
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) {
                if (side[i] != side[j]) pairs.add(new Pair(nodes[i], nodes[j]));
            }
        }
        block(pairs, 50 + rng.nextInt(1000));
    }

    private record Pair(Node a, Node b) {}

    /** Holds the connections of {@code pairs} down for {@code millis}. */
    private void block(List<Pair> pairs, long millis) {
        for (Pair p : pairs) {
            conns[p.a().index][p.b().index].blockers++;
            reconcile(p.a(), p.b());
        }
        int gen = faultGen;
        schedule(now + millis, false, () -> {
            if (gen != faultGen) return;
            for (Pair p : pairs) {
                conns[p.a().index][p.b().index].blockers--;
                reconcile(p.a(), p.b());
            }
        });
    }

    private void crashSeveral() {
        for (Node n : nodes) {
            if (rng.nextBoolean()) crash(n);
        }
    }

    private void crashOne() {
        Node n = randomAlive();
        if (n != null) crash(n);
    }

    /** Crashes {@code n} (if it is alive) and restarts it after a while. */
    private void crash(Node n) {
        if (!n.alive) return;
        count("faultCrash");
        n.crash();
        int gen = faultGen;
        long downFor = rng.nextInt(4) == 0 ? 200 + rng.nextInt(1500) : 1 + rng.nextInt(200);
        schedule(now + downFor, false, () -> {
            if (gen == faultGen && !n.alive) n.restart();
        });
    }

    private void shutdownOne() {
        Node n = randomAlive();
        if (n != null) n.shutdown();
    }

    /** End of the fault phase: no more faults; heal the network and restart crashed nodes. */
    private void heal() {
        healed = true;
        faultGen++;
        dropRate = 0;
        dupRate = 0;
        delayRate = 0;
        commitFailRate = 0;
        loadFailRate = 0;
        if (tracing) trace("heal");
        for (Conn[] row : conns) {
            for (Conn c : row) {
                if (c != null) c.blockers = 0;
            }
        }
        for (Node n : nodes) {
            if (!n.alive) n.restart();
        }
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) reconcile(nodes[i], nodes[j]);
        }
    }

    // ---- a node -------------------------------------------------------------------------------------------

    /** One node: an engine, its store and its application; also the engine's output. */
    private final class Node implements EngineOutput, SimWindow.App {
        final int index;
        final NodeId id;
        final String name;
        final EngineConfig engineConfig;
        Store store;
        /** Batches handed to {@code persist} whose commit has not run yet, oldest first. */
        final ArrayDeque<Persisted> inFlight = new ArrayDeque<>();
        /** The last batch whose commit failed or was not attempted (EngineOutput#persist rule 2). */
        long lastFailedBatch;

        Engine engine;
        boolean alive;
        /** Incremented at each crash; work scheduled by an earlier incarnation is discarded. */
        int incarnation;
        /** Per peer: what this incarnation was told about the connection, and the last notification time. */
        final boolean[] viewUp;

        final int[] viewGen;
        final long[] notifyAt;

        // The runtime's shutdown, modelled: closing, then deliveries stop, then every open send is answered, then
        // the loop ends (the store writer still commits what was queued) and the node is down until it restarts.
        /** {@code shutdown} was called: new sends fail at once. */
        boolean closing;
        /** Deliveries stopped: the application gets nothing more, and runs in progress are not reported. */
        boolean deliveriesStopped;
        /** Every open send was answered ({@code failAll}): a send reaching the node thread now is rejected there. */
        boolean answeredAll;
        /** Sends handed to this incarnation's engine and not yet accepted or rejected. */
        final Set<Long> openTokens = new HashSet<>();
        /** Incarnations that ended with a clean stop rather than a crash. */
        final Set<Integer> stoppedIncarnations = new HashSet<>();
        /** The application's futures of the requests it made. */
        final SimCaller calls;
        /**
         * Markers of messages a concurrent handler completed ahead: those stored (read at each start) and this
         * incarnation's since, stored or not yet.
         */
        final Set<String> completedAhead = new HashSet<>();
        /** Messages whose sender withdrew them after this incarnation's engine handed them out: "peer|lane|seq". */
        final Set<String> cancelAsked = new HashSet<>();
        /** The concurrent handlers' windows open now, by stream. */
        final Map<StreamKey, SimWindow> windows = new HashMap<>();

        Node(int index) {
            this.index = index;
            this.name = "n" + index;
            this.id = NodeId.of(name);
            Set<NodeId> peers = new LinkedHashSet<>();
            for (int i = 0; i < cfg.nodes(); i++) {
                if (i != index) peers.add(NodeId.of("n" + i));
            }
            this.engineConfig = new EngineConfig(
                    id,
                    peers,
                    cfg.window(),
                    cfg.maxFrameBytes(),
                    cfg.maxQueuedPerStream(),
                    cfg.retransmitMillis(),
                    cfg.maxRetransmitMillis(),
                    cfg.retryPolicy(),
                    FailurePolicy.DEAD_LETTER,
                    cfg.maxRun(),
                    cfg.maxBatchesInFlight(),
                    cfg.minBatchMessages(),
                    cfg.maxBatchMessages());
            this.store = stores.create(name, new Random(rng.nextLong()));
            this.viewUp = new boolean[cfg.nodes()];
            this.viewGen = new int[cfg.nodes()];
            this.notifyAt = new long[cfg.nodes()];
            this.calls = new SimCaller(name, history::add, () -> sabotageOnce(Sabotage.COMPLETE_TWICE));
        }

        void start() {
            // A new boot id per incarnation, as a real process has; derived, so that the random sequence stays the
            // same.
            long bootId = ((long) index + 1) << 32 | (incarnation & 0xffffffffL);
            StoredState state = store.open(stores.durability());
            StoredChannels stored = store.readChannels();
            Map<String, List<ChannelEntry>> index = new HashMap<>();
            for (ChannelLog l : stored.logs()) index.put(l.channel(), store.readChannelIndex(l.channel(), 1, 1 << 20));
            engine = new Engine(
                    engineConfig, state, stored, index, this, bootId, EngineConfig.DEFAULT_MAX_VOLATILE_BYTES);
            // Withdrawals of cancelled calls stored by an earlier incarnation: still markers, never the call itself.
            List<KeyValue> marks = KeyPages.readAll(store, WithdrawnMarks.NAMESPACE, now);
            if (!marks.isEmpty()) counters.merge("withdrawalsRestored", (long) marks.size(), Long::sum);
            engine.restoreWithdrawn(marks);
            if (sabotage != Sabotage.FORGET_AHEAD) engine.completedAhead().restore(KeyPages.readAll(store, AHEAD, now));
            restoreDropped(state);
            for (Map.Entry<String, ChannelOptions> e : retention.entrySet()) {
                engine.channelOptions(now, e.getKey(), e.getValue()); // as an application sets them at every start
            }
            alive = true;
            closing = false;
            deliveriesStopped = false;
            answeredAll = false;
            openTokens.clear();
            Arrays.fill(viewUp, false);
            Arrays.fill(viewGen, 0);
            Arrays.fill(notifyAt, 0);
            cancelAsked.clear();
            windows.clear();
            completedAhead.clear();
            if (cfg.concurrency() > 1) {
                for (KeyValue kv : KeyPages.readAll(store, AHEAD, now)) completedAhead.add(kv.key());
            }
            scheduleTick(incarnation, now + 1 + rng.nextInt((int) TICK_MILLIS));
        }

        /**
         * Drops (DROP_OLDEST) stored by an earlier incarnation behind an unsettled message: never sent. Counted, {@code
         * dropsRestored}, are the numbers still stored (above the stream's acknowledged prefix).
         */
        private void restoreDropped(StoredState state) {
            Map<StreamKey, long[]> records = DroppedRows.decode(KeyPages.readAll(store, DroppedRows.NAMESPACE, now));
            for (OutboundState o : state.outbound()) {
                long[] runs = records.get(new StreamKey(o.to(), o.lane()));
                for (int i = 0; runs != null && i + 1 < runs.length; i += 2) {
                    long n = Math.min(runs[i + 1], o.lastSeq()) - Math.max(runs[i], o.ackedSeq() + 1) + 1;
                    if (n > 0) counters.merge("dropsRestored", n, Long::sum);
                }
            }
            engine.restoreDropped(records);
        }

        private void scheduleTick(int inc, long at) {
            schedule(at, true, () -> {
                if (!current(inc)) return;
                input(e -> e.onTick(now));
                calls.tick(now);
                checkMemory();
                if (cancelResends != null) {
                    for (String late : cancelResends.overdue(now, index, Simulation.this::sameConnection))
                        anomaly(late);
                }
                scheduleTick(inc, now + TICK_MILLIS);
            });
        }

        /**
         * Bounded memory (DESIGN.md section 2): with no batch pending, the engine holds at most a cached outbox
         * page per outbound stream and a window per inbound stream, whatever the backlog.
         */
        void checkMemory() {
            if (!engine.storeIdle()) return;
            // A channel adds a reader stream to and from every peer, and one page cache for the log.
            long streams = (long) (cfg.nodes() - 1) * (cfg.lanes() + channels.length);
            // Agents: a stream to every agent (own ones on loopback) and one from every node to each own agent.
            if (cfg.agents() > 0)
                streams +=
                        cfg.agents() + (long) cfg.nodes() * agentsOf.get(index).size();
            long bound = streams * (engineConfig.maxPageMessages() + engineConfig.window())
                    + (long) channels.length * engineConfig.pageMessages();
            long held = engine.messagesInMemory();
            if (held > bound) anomaly(held + " messages in memory, more than the bound " + bound);
        }

        void crash() {
            history.add(new Crashed(now, name));
            calls.crashed();
            if (tracing) trace(name + " CRASH");
            alive = false;
            incarnation++;
            engine = null;
            store = stores.crash(
                    store, inFlight.isEmpty() ? null : inFlight.peekFirst().batch());
            inFlight.clear();
            for (Node other : nodes) {
                if (other != this) reconcile(this, other);
            }
        }

        @Override
        public long now() {
            return now;
        }

        /**
         * Shuts down as {@code TetherNode.shutdown(timeout)} does: sends fail at once from now on, except a few
         * whose callers passed the check just before; they reach the node thread at random points of the
         * shutdown and must be answered wherever they land. After {@code timeout} deliveries stop; the store gets
         * up to {@link #STORE_GRACE_MILLIS} to become idle; then every open send is rejected and the loop ends.
         */
        void shutdown() {
            if (!alive || closing) return;
            count("faultShutdown");
            if (tracing) trace(name + " SHUTDOWN");
            closing = true;
            int inc = incarnation;
            long timeout = rng.nextInt(300);
            for (int k = rng.nextInt(4); k > 0; k--) {
                Submission s = submit(this, randomPeer(this).id, lanes[rng.nextInt(lanes.length)]);
                schedule(now + rng.nextInt((int) timeout + 50), false, () -> racingSendArrives(inc, s));
            }
            later(timeout, () -> {
                deliveriesStopped = true;
                awaitStoreIdle(inc, now + STORE_GRACE_MILLIS);
            });
        }

        private void racingSendArrives(int inc, Submission s) {
            count("sendsRacingShutdown");
            if (current(inc) && !answeredAll) {
                s.run();
                engine.endTurn(now);
            } else if (current(inc) || stoppedIncarnations.contains(inc)) {
                rejected(s.token(), "node shut down; send rejected" + (current(inc) ? "" : " after the loop ended"));
            } // else that incarnation crashed: nobody answers, as after a real crash
        }

        private void awaitStoreIdle(int inc, long deadline) {
            if (engine.storeIdle() || now >= deadline) {
                for (long token : List.copyOf(openTokens)) rejected(token, "node shut down before the outcome");
                calls.closed(now); // as the call layer fails its waiting calls where the receipts fail
                answeredAll = true;
                later(rng.nextInt(5), this::stopLoop);
            } else {
                later(1, () -> awaitStoreIdle(inc, deadline));
            }
        }

        /** The node loop ends; the store writer finishes the batches queued, whose answers nobody reads. */
        private void stopLoop() {
            while (!inFlight.isEmpty()) commitOldest(false);
            history.add(new Stopped(now, name));
            if (tracing) trace(name + " STOPPED");
            stoppedIncarnations.add(incarnation);
            alive = false;
            incarnation++;
            engine = null;
            store = stores.crash(store, null);
            for (Node other : nodes) {
                if (other != this) reconcile(this, other);
            }
            long downFor = rng.nextInt(4) == 0 ? 200 + rng.nextInt(1500) : 1 + rng.nextInt(200);
            schedule(now + downFor, false, () -> {
                if (!alive) restart();
            });
        }

        void restart() {
            history.add(new Restarted(now, name));
            if (tracing) trace(name + " RESTART");
            start();
            for (Node other : nodes) {
                if (other != this) reconcile(this, other);
            }
        }

        boolean current(int inc) {
            return alive && incarnation == inc;
        }

        /** Runs {@code action} after {@code delay} unless this incarnation crashed meanwhile. */
        @Override
        public void later(long delay, Runnable action) {
            int inc = incarnation;
            schedule(now + delay, false, () -> {
                if (current(inc)) action.run();
            });
        }

        /** One engine input, then the end of the engine's turn. */
        @Override
        public void input(Consumer<Engine> in) {
            in.accept(engine);
            engine.endTurn(now);
        }

        void endTurn() {
            engine.endTurn(now);
        }

        void anomaly(String description) {
            history.add(new Anomaly(now, name, description));
        }

        // ---- EngineOutput -------------------------------------------------------------------------------

        @Override
        public void transmit(NodeId peer, ByteBuffer frame) {
            byte[] bytes = new byte[frame.remaining()];
            frame.duplicate().get(bytes);
            if (bytes.length > cfg.maxFrameBytes()) anomaly("frame of " + bytes.length + " bytes to " + peer);
            Node to = nodes[Integer.parseInt(peer.value().substring(1))];
            if (!viewUp[to.index]) {
                anomaly("transmit to " + peer + " after being told the connection is down");
                return;
            }
            count("frames");
            Conn c = conns[index][to.index];
            int gen = viewGen[to.index];
            if (!c.up || c.gen != gen) {
                count("framesStale"); // The connection is gone; this side has not noticed yet.
                return;
            }
            if (channels.length > 0) generations.transmitted(name, to.name, bytes);
            if (sabotage == Sabotage.NO_CANCEL_RESEND && cancelResends.repeated(index, to.index, bytes)) {
                count("sabotaged");
                return;
            }
            if (rng.nextDouble() < dropRate) {
                count("framesDropped");
                if (tracing) trace(name + " -> " + to.name + " DROPPED " + describe(bytes));
                if (cancelResends != null)
                    cancelResends.transmitted(now, index, incarnation, to.index, gen, bytes, true);
                return;
            }
            if (tracing) trace(name + " -> " + to.name + " " + describe(bytes));
            if (cancelResends != null) cancelResends.transmitted(now, index, incarnation, to.index, gen, bytes, false);
            ship(this, to, c, gen, bytes);
            if (rng.nextDouble() < dupRate) {
                count("framesDuplicated");
                ship(this, to, c, gen, bytes);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void persist(long batchId, long afterBatchId, WriteBatch batch) {
            if (tracing) {
                trace(name + " persist #" + batchId + (afterBatchId != 0 ? " after #" + afterBatchId : "")
                        + " appends=" + batch.appends().size() + " trims="
                        + batch.trims() + " cursors=" + batch.cursors() + " deadLetters="
                        + batch.deadLetters().size());
            }
            if (!inFlight.isEmpty()) count("batchesPipelined");
            inFlight.addLast(new Persisted(batchId, afterBatchId, batch));
            // One commit per persist, always of the oldest batch: commits run in order, like the one store writer.
            later(rng.nextInt(cfg.maxStoreLatency() + 1), this::commitOldest);
        }

        private void commitOldest() {
            commitOldest(true);
        }

        /** Commits the oldest batch in flight; {@code answer}: report the result to the engine. */
        private void commitOldest(boolean answer) {
            Persisted p = inFlight.pollFirst();
            long batchId = p.id();
            WriteBatch batch = p.batch();
            if (p.after() != 0 && p.after() == lastFailedBatch) {
                lastFailedBatch = batchId;
                count("commitsNotAttempted");
                if (tracing) trace(name + " commit #" + batchId + " NOT ATTEMPTED after #" + p.after());
                StoreException ex = new StoreException("not attempted: batch " + p.after() + " before it failed");
                if (answer) input(e -> e.onCommitFailed(now, batchId, ex));
                return;
            }
            boolean inject = commitFailRate > 0 && rng.nextDouble() < commitFailRate;
            try {
                if (inject) stores.commitFailing(store, batch);
                else store.commit(batch);
            } catch (StoreException ex) {
                if (!inject) anomaly("the store rejected batch " + batchId + ": " + ex.getMessage());
                lastFailedBatch = batchId;
                count("commitsFailed");
                if (tracing) trace(name + " commit #" + batchId + " FAILED");
                if (answer) input(e -> e.onCommitFailed(now, batchId, ex));
                return;
            }
            count("commits");
            if (tracing) trace(name + " committed #" + batchId);
            for (StoredMessage m : batch.appends()) {
                history.add(new Committed(
                        now, name, m.to().value(), m.lane(), m.seq(), msgId(m.payload()), m.expiresAtMillis()));
            }
            for (InboundCursor c : batch.cursors()) {
                history.add(new CursorCommitted(now, name, c.from().value(), c.lane(), c.processedSeq()));
            }
            for (WriteBatch.KeyWrite k : batch.keyWrites()) {
                if (!k.namespace().equals(AHEAD)) continue;
                if (k.isDelete()) {
                    count("aheadDeleted"); // the cursor passed it: the engine deletes its marker
                    continue;
                }
                String[] a = k.key().split("\\|"); // sender, its epoch, lane, seq
                history.add(new AheadStored(now, name, a[0], a[2], Long.parseLong(a[3])));
            }
            for (WriteBatch.Trim t : batch.trims()) { // a loopback stream's cursor is its trim (one writer)
                if (t.to().equals(id)) history.add(new CursorCommitted(now, name, name, t.lane(), t.upToSeq()));
            }
            // As the store applies them: publishes, then reader rows.
            for (ChannelMessage m : batch.publishes()) {
                String lane = Channels.lane(m.channel());
                history.add(new Published(now, name, lane, m.seq(), msgId(m.payload()), m.expiresAtMillis()));
            }
            for (WriteBatch.ReaderUpdate u : batch.readerUpdates()) {
                long cursor = u.removed() ? -1 : u.ackedSeq();
                history.add(new ReaderRow(now, name, u.reader().value(), Channels.lane(u.channel()), cursor));
                generations.rowCommitted(name, u.reader().value(), Channels.lane(u.channel()), cursor);
            }
            if (answer) input(e -> e.onCommitted(now, batchId));
        }

        @Override
        public void load(StreamKey key, long fromSeq, int max) {
            count("loads");
            if (tracing) trace(name + " load " + key + " from " + fromSeq + " max " + max);
            later(rng.nextInt(cfg.maxStoreLatency() + 1), () -> {
                if (loadFailRate > 0 && rng.nextDouble() < loadFailRate) {
                    count("loadsFailed");
                    if (tracing) trace(name + " load " + key + " FAILED");
                    input(e -> e.onLoadFailed(now, key, new StoreException("injected outbox read failure")));
                    return;
                }
                List<StoredMessage> messages = StreamPages.read(store, key, fromSeq, max);
                input(e -> e.onLoaded(now, key, messages));
            });
        }

        @Override
        public void accepted(long token, StreamKey key, long seq) {
            if (!openTokens.remove(token)) return; // already answered: the shutdown rejected it
            calls.accepted(token, key, seq);
            history.add(new Accepted(now, name, token, key.peer().value(), key.lane(), seq));
        }

        @Override
        public void rejected(long token, TetherException error) {
            if (openTokens.contains(token)) rejected(token, error.getMessage());
        }

        void rejected(long token, String reason) {
            openTokens.remove(token);
            history.add(new Rejected(now, name, token, reason));
            calls.rejected(now, token);
        }

        @Override
        public void acked(StreamKey key, long upToSeq) {
            history.add(new Acked(now, name, key.peer().value(), key.lane(), upToSeq));
            if (cancelResends != null && !key.peer().equals(id) && !key.peer().equals(UNKNOWN)) {
                cancelResends.acked(index, Integer.parseInt(key.peer().value().substring(1)), key.lane(), upToSeq);
            }
        }

        @Override
        public void outcome(StreamKey key, long seq, Outcome outcome) {
            count("outcome" + outcome);
            if (outcome == Outcome.CANCELLED)
                history.add(new Withdrawn(now, name, key.peer().value(), key.lane(), seq));
            if (outcome == Outcome.DROPPED && !key.lane().startsWith("_c")) // not a channel join refused
            history.add(new DroppedAtSender(now, name, key.peer().value(), key.lane(), seq));
        }

        @Override
        public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
            if (deliveriesStopped) return; // not handed out: delivered again after the restart
            if (cfg.concurrency() > 1 && !key.lane().startsWith("_")) {
                SimWindow w = new SimWindow(this, key, generation, messages, cfg.concurrency());
                windows.put(key, w);
                later(0, w::begin);
                return;
            }
            if (tracing) {
                trace(name + " deliver " + key + " gen " + generation + " seqs "
                        + messages.get(0).seq() + ".."
                        + messages.get(messages.size() - 1).seq());
            }
            List<InboundMessage> run = new ArrayList<>(messages);
            if (sabotage == Sabotage.REVERSE_RUN && run.size() > 1 && !counters.containsKey("sabotaged")) {
                count("sabotaged");
                Collections.reverse(run);
            }
            List<Effect> effects = new ArrayList<>();
            later(
                    handlingMillis(),
                    () -> process(key, generation, run, 0, run.get(0).seq() - 1, effects));
        }

        /** How long the application takes over one message: 1..maxProcessMillis, sometimes much longer. */
        @Override
        public long handlingMillis() {
            if (cfg.slowHandlerRate() > 0 && rng.nextDouble() < cfg.slowHandlerRate()) {
                count("slowHandlings");
                return 1 + rng.nextInt(cfg.maxSlowMillis());
            }
            return 1 + rng.nextInt(cfg.maxProcessMillis());
        }

        /**
         * The application handles message {@code i} of {@code run}; {@code ackedUpTo} precedes it; {@code effects}
         * are the replies to the acknowledged requests of the run not given to the engine yet: each settling input
         * carries those of the messages it acknowledges.
         */
        private void process(
                StreamKey key, long generation, List<InboundMessage> run, int i, long ackedUpTo, List<Effect> effects) {
            if (deliveriesStopped) return; // the run is not reported any more
            InboundMessage m = run.get(i);
            if (m.expiredAt(now)) {
                // As the runtime does right before each handler call: an expired message is not handed out.
                count("expiredBeforeHandOut");
                if (tracing) trace(name + " app " + key + "#" + m.seq() + " expired before it was handed out");
                List<Effect> due = take(effects);
                input(e -> e.onExpiredInRun(now, key, generation, ackedUpTo, m.seq(), due));
                return;
            }
            if (cancelAsked(key, m.seq())) { // withdrawn by its sender before the application started it
                settledWithoutStart(key, m.seq(), true);
                List<Effect> due = take(effects);
                input(e -> e.onNotTaken(now, key, generation, ackedUpTo, m.seq(), Outcome.CANCELLED, due));
                return;
            }
            String failure = start(key, m, effects);
            if (failure != null) {
                List<Effect> due = take(effects);
                input(e -> e.onSettled(
                        now,
                        Settlement.processed(key, generation, ackedUpTo)
                                .failed(m.seq(), failure)
                                .withEffects(due)));
                return;
            }
            if (i + 1 == run.size()) {
                List<Effect> due = take(effects);
                input(e -> e.onSettled(
                        now, Settlement.processed(key, generation, m.seq()).withEffects(due)));
                return;
            }
            if (cfg.progressRate() > 0 && rng.nextDouble() < cfg.progressRate()) {
                List<Effect> due = take(effects);
                input(e -> e.onProgress(now, key, generation, m.seq(), due));
            }
            later(handlingMillis(), () -> process(key, generation, run, i + 1, m.seq(), effects));
        }

        /**
         * The application starts {@code m}: the delivery is recorded and its fate decided; returns null if it succeeds
         * (a request's reply is added to {@code effects}), else the reason it fails.
         */
        @Override
        public String start(StreamKey key, InboundMessage m, List<Effect> effects) {
            long msgId = -1;
            int flags = 0;
            if (m.payload().length < ID_BYTES) {
                anomaly("delivered " + key + "#" + m.seq() + " without its payload");
            } else {
                ByteBuffer p = ByteBuffer.wrap(m.payload());
                msgId = p.getLong();
                flags = p.get();
            }
            boolean poison = (flags & POISON) != 0;
            boolean reply = (flags & REPLY) != 0;
            // A reply is taken by the caller's call layer, which never fails it.
            boolean ok =
                    reply || !poison && !(cfg.transientFailRate() > 0 && rng.nextDouble() < cfg.transientFailRate());
            Delivered d = new Delivered(
                    now, name, key.peer().value(), key.lane(), m.seq(), msgId, m.redelivery(), m.attempt(), ok);
            if (key.peer().equals(id)) count("deliveredOnLoopback");
            boolean sabotageNow = (sabotage == Sabotage.SKIP_ONE || sabotage == Sabotage.PROCESS_TWICE)
                    && ok
                    && ++processedCount == 20;
            if (sabotageNow) count("sabotaged");
            if (!(sabotageNow && sabotage == Sabotage.SKIP_ONE)) delivered(d);
            if (sabotageNow && sabotage == Sabotage.PROCESS_TWICE) delivered(d);
            if (key.lane().startsWith("_a.")) agentDelivered(key, m, msgId);
            if (tracing) {
                trace(name + " app " + key + "#" + m.seq() + " msg " + msgId + (ok ? " ok" : " FAILED")
                        + (m.redelivery() ? " redelivery" : "") + " attempt " + m.attempt());
            }
            if (!ok) return poison ? "poison" : "transient failure";
            if (reply) calls.reply(now, ByteBuffer.wrap(m.payload()).getLong(ID_BYTES));
            if ((flags & REQUEST) != 0) answer(key, m, msgId, effects);
            return null;
        }

        private void delivered(Delivered d) {
            generations.delivered(d, () -> sabotageOnce(Sabotage.CHANNEL_TWICE), history::add);
        }

        /** The endpoint of {@code key}'s lane is handed {@code m}: as coming from the endpoint its {@code :f} names. */
        private void agentDelivered(StreamKey key, InboundMessage m, long msgId) {
            String from = m.headers().get(":f");
            if (from != null && sabotageOnce(Sabotage.MISATTRIBUTE)) from = from + "x";
            history.add(new AgentDelivered(
                    now, name, key.lane().substring(3), key.peer().value(), from, msgId));
        }

        /**
         * The application answers request {@code requestId}: its reply, to the caller on the reply lane with the
         * request's deadline, goes with the acknowledgment of the request.
         */
        private void answer(StreamKey key, InboundMessage m, long requestId, List<Effect> effects) {
            long replyId = nextMsgId++;
            ByteBuffer p = ByteBuffer.allocate(ID_BYTES + 8)
                    .putLong(replyId)
                    .put(REPLY)
                    .putLong(requestId);
            history.add(new ReplyMade(now, name, requestId, replyId));
            if (sabotageOnce(Sabotage.LOSE_REPLY)) return;
            effects.add(new Effect(key.peer(), REPLY_LANE, Map.of(), p.array(), m.expiresAtMillis()));
        }

        // ---- concurrent handlers and cancellation (SimWindow.App) ------------------------------------------

        @Override
        public boolean stopped() {
            return deliveriesStopped;
        }

        private String aheadId(StreamKey key, InboundMessage m) {
            return key.peer().value() + "|" + Long.toHexString(m.senderEpoch()) + "|" + key.lane() + "|" + m.seq();
        }

        @Override
        public boolean completedBefore(StreamKey key, InboundMessage m) {
            if (!completedAhead.contains(aheadId(key, m))) return false;
            if (sabotageOnce(Sabotage.FORGET_AHEAD)) return false;
            count("aheadAcknowledged"); // the engine handed out again a message it knows completed ahead: never
            return true;
        }

        /**
         * The engine marks {@code m} and stores its effects with the marker ({@code AheadMarks}); it never hands it
         * out again. With {@link Sabotage#FORGET_AHEAD} the engine is not told (the marker is stored beside it, as a
         * runtime that kept the markers itself did), so a message handed out again must be recognised here, and the
         * sabotage forgets one.
         */
        @Override
        public void completedAhead(StreamKey key, InboundMessage m, List<Effect> effects) {
            String marker = aheadId(key, m);
            completedAhead.add(marker);
            count("completedAhead");
            long token = nextToken++;
            if (sabotage != Sabotage.FORGET_AHEAD) {
                input(e -> e.completedAhead().completed(now, token, key, m.senderEpoch(), m.seq(), effects));
                return;
            }
            List<Effect> writes = new ArrayList<>(effects);
            writes.add(Effect.put(new KeyValue(AHEAD, marker, new byte[0], 0)));
            input(e -> e.writeKeys(now, token, writes));
        }

        @Override
        public boolean cancelAsked(StreamKey key, long seq) {
            return !cancelAsked.isEmpty() && cancelAsked.contains(key.peer().value() + "|" + key.lane() + "|" + seq);
        }

        @Override
        public void settledWithoutStart(StreamKey key, long seq, boolean cancelled) {
            if (!cancelled) {
                count("expiredBeforeHandOut");
                return;
            }
            count("cancelledInRun");
            history.add(new CancelledInRun(now, name, key.peer().value(), key.lane(), seq));
        }

        @Override
        public void ended(SimWindow w) {
            windows.remove(w.key, w);
        }

        @Override
        public void runCanGrow(StreamKey key, long generation) {
            SimWindow w = windows.get(key);
            if (w != null && w.generation == generation) later(0, w::arrived);
        }

        @Override
        public void cancelRequested(StreamKey key, long senderEpoch, long seq) {
            count("cancelRequestsReceived");
            cancelAsked.add(key.peer().value() + "|" + key.lane() + "|" + seq);
        }

        /** The application cancels its request {@code msgId}, if it is still waiting and stored. */
        void cancel(long msgId) {
            SimCaller.Stored at = calls.cancel(now, msgId);
            if (at == null) return;
            count("callsCancelled");
            if (tracing) trace(name + " cancel msg " + msgId + " = " + at);
            input(e -> e.cancel(now, new StreamKey(NodeId.of(at.receiver()), at.lane()), at.seq()));
        }

        private List<Effect> take(List<Effect> effects) {
            List<Effect> due = List.copyOf(effects);
            effects.clear();
            return due;
        }

        @Override
        public void event(TetherEvent event) {
            if (tracing) trace(name + " event " + event);
            if (event instanceof TetherEvent.Expired x) {
                history.add(new Expired(now, name, x.from().value(), x.lane(), x.seq()));
            } else if (event instanceof TetherEvent.ChannelMessagesMissed m) {
                history.add(new HistoryEvent.Missed(
                        now, name, m.publisher().value(), Channels.lane(m.channel()), m.fromSeq(), m.toSeq()));
            } else if (event instanceof TetherEvent.SendExpired x) {
                history.add(new SendExpired(now, name, x.to().value(), x.lane(), x.seq()));
            } else if (event instanceof TetherEvent.DeadLettered d) {
                history.add(new DeadLettered(now, name, d.from().value(), d.lane(), d.seq()));
            } else if (event instanceof TetherEvent.ProtocolError p) {
                anomaly("protocol error from " + p.peer() + ": " + p.reason());
            } else if (event instanceof TetherEvent.StreamBlocked b) {
                anomaly("stream blocked although the policy is DEAD_LETTER: " + b);
            } else if (event instanceof TetherEvent.Resync r
                    && !r.lane().equals("*")
                    && !r.reason().contains("new incarnation")) {
                // The sender no longer holds messages up to the cursor: it expired them, then restarted. The
                // checker verifies that only messages taken care of were skipped.
                history.add(new Resynced(now, name, r.peer().value(), r.lane(), r.cursor(), r.reason()));
            } else if (event instanceof TetherEvent.Resync r) {
                anomaly("resync although no store was wiped: " + r);
            } else {
                count("event" + event.getClass().getSimpleName());
            }
        }
    }

    /** True, once per run, if {@code s} is this run's sabotage. */
    private boolean sabotageOnce(Sabotage s) {
        if (sabotage != s || counters.containsKey("sabotaged")) return false;
        count("sabotaged");
        return true;
    }

    /** A batch handed to {@code persist}: its id, the batch it must follow, its writes. */
    private record Persisted(long id, long after, WriteBatch batch) {}

    /** The message id at the start of a payload, or -1. */
    static long msgId(byte[] payload) {
        return payload.length < ID_BYTES ? -1 : ByteBuffer.wrap(payload).getLong();
    }
}
