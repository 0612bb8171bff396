package dev.tether.internal.runtime;

import dev.tether.CallStats;
import dev.tether.DeadLetterView;
import dev.tether.Delivery;
import dev.tether.Lanes;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.NodeStats;
import dev.tether.OutboundMessage;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.SendReceipt;
import dev.tether.ShutdownResult;
import dev.tether.StoreException;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.internal.engine.AheadMarks;
import dev.tether.internal.engine.DroppedRows;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.engine.WithdrawnMarks;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.Discovery;
import dev.tether.spi.StoredChannels;
import dev.tether.spi.StoredState;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The stream node: validates calls on the caller's thread, then hands them to the node thread. Threads: one node
 * thread (engine), one store thread, the handler pool, and the transport's own. It knows nothing of handlers or
 * calls: pattern layers plug in through {@link #router}, {@link #everyTurn}, {@link #submit(NodeId, String, Map,
 * byte[], long, SendHook)} and {@link #post}, and the composition root ({@code internal.node}) offers the whole as a
 * {@code TetherNode}.
 */
public final class NodeRuntime {
    /** Messages handed to the application per run; bounds the engine's and the handler's batch. */
    static final int MAX_RUN = 256;

    private static final long STORE_GRACE_MILLIS = 2_000;
    private static final System.Logger LOG = System.getLogger("dev.tether");

    private final NodeSettings config;
    private final NodeLoop loop;
    private final String name;
    private final StoreWriter storeWriter;
    private final Dispatcher dispatcher;
    private final ExecutorService handlers;
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong pendingSendBytes = new AtomicLong();
    private final SendAdmission sends;
    private final SendCalls sendCalls;
    private final TransportEvents transportEvents;
    private final Admission admission;
    private final Membership membership;
    private final long epoch;
    private final IdempotencyTable idempotency;
    private final long bootId;
    private final ChannelPort channels;
    volatile boolean closing;
    private volatile Supplier<CallStats> callStats = () -> CallStats.NONE;
    private volatile NodeTask stopping = now -> {};
    private volatile NodeStats finalStats;
    private ShutdownResult shutdownResult;

    private NodeRuntime(NodeSettings config) {
        this.config = config;
        this.name = "tether-" + config.nodeId();
        StoredState state = config.store().open(config.durability());
        this.epoch = state.epoch();
        this.idempotency = new IdempotencyTable(config.idempotencyWindow().toMillis(), config.maxIdempotencyKeys());
        idempotency.load(config.store(), config.clock().millis());
        SendRooms rooms = new SendRooms(
                state, key -> StreamLimitRule.find(config.streamLimits(), key, config.maxQueuedPerStream()));
        this.sends = new SendAdmission(
                config.nodeId(), config.maxMessageBytes(), config.maxPendingSendBytes(), pendingSendBytes, rooms);
        this.loop = new NodeLoop(config.clock(), config.transport(), config.listener(), pendingSendBytes, rooms);
        loop.closeNodeOnFatalEnd(() -> shutdown(Duration.ZERO)); // a node whose loop died must not stay open
        this.storeWriter = new StoreWriter(config.store(), config.commitObserver(), loop, name + "-store");
        // Threads start on first use: a node whose handlers all run on the node thread starts none.
        // Runs wait for a thread by priority (RunQueue).
        this.handlers = new ThreadPoolExecutor(
                config.handlerThreads(),
                config.handlerThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new RunQueue(),
                new DaemonThreads(name + "-handler-"));
        this.dispatcher = new Dispatcher(
                config.handler(),
                config.ackMode(),
                config.handlerOnNodeThread() ? null : handlers,
                loop,
                config.clock(),
                idempotency,
                storeWriter);
        this.bootId = newBootId();
        StoredChannels stored = config.store().readChannels(); // shared logs continue from their reader rows
        Engine engine = new Engine(
                config.engineConfig(MAX_RUN),
                state,
                stored,
                RetainedIndex.read(config.store(), stored),
                loop,
                bootId,
                config.maxVolatileBytes());
        config.prepare(engine); // after its state: compression, and the dead-letter queue's bounds and index
        engine.restoreDropped(DroppedRows.decode(KeyPages.readAll(
                config.store(), DroppedRows.NAMESPACE, config.clock().millis())));
        engine.restoreWithdrawn(KeyPages.readAll(
                config.store(), WithdrawnMarks.NAMESPACE, config.clock().millis()));
        engine.completedAhead()
                .restore(KeyPages.readAll(
                        config.store(), AheadMarks.NAMESPACE, config.clock().millis()));
        this.channels = new ChannelPort(this, loop, storeWriter, pendingSendBytes, tokens, stored.memberships());
        loop.wire(engine, storeWriter, dispatcher);
        this.admission = new Admission(
                config.nodeId(), config.peers(), config.allowedPeers(), config.insecureAdmitUnprovenPeers(), state);
        this.membership = new Membership(config.nodeId(), admission, loop, config.transport(), config.clock());
        membership.restore(config.store(), config.clock().millis()); // runtime adds and removals of earlier runs
        rooms.refuseWaitsFor(p -> !p.equals(config.nodeId()) && !admission.isKnown(p));
        this.sendCalls = new SendCalls(this, config, loop, admission, sends, tokens);
        this.transportEvents = new TransportEvents(loop, config.maxInboundQueueBytes(), admission, config.transport());
    }

    /** A random, non-zero id for this process's incarnation of the node (HELLO states it; volatile streams use it). */
    private static long newBootId() {
        long id = new SecureRandom().nextLong();
        return id != 0 ? id : 1;
    }

    /** Opens the store and builds the node; pattern layers plug in before {@link #start()}. */
    public static NodeRuntime create(NodeSettings config) {
        try {
            return new NodeRuntime(config);
        } catch (RuntimeException | Error e) {
            // What opened the store gave no one else a way to close it: without this a retry in the same process
            // finds the store's files locked (StoreInUseException). Closing a store that did not open is harmless.
            try {
                config.store().close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Undoes {@link #create} when the node fails before {@link #start}: closes the store on its writer's thread (the
     * lock is released with it) and stops the threads made. Not for a started node ({@link #shutdown}).
     */
    public void abandonUnstarted(Throwable failure) {
        handlers.shutdownNow();
        try {
            if (!Uninterruptibly.call(() -> storeWriter.close(STORE_GRACE_MILLIS))) {
                LOG.log(System.Logger.Level.WARNING, "node " + id() + " failed to start; its store did not close");
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Starts the transport, then the node loop: on the transport's I/O thread if it offers one, else on a
     * thread of its own. Transport events reported in between wait in the loop's queue.
     */
    public void start() {
        try {
            config.transport().start(config.nodeId(), transportEvents);
        } catch (RuntimeException e) {
            loop.start(null, name);
            shutdown(Duration.ZERO);
            throw e;
        }
        loop.start(config.transport().nodeExecutor(), name);
        membership.reconnectAdded();
        try {
            for (Discovery d : config.discoveries()) d.start(config.nodeId(), membership);
        } catch (RuntimeException e) {
            shutdown(Duration.ZERO);
            throw e;
        }
    }

    // ---- hooks for pattern layers (set before start) -------------------------------------------------

    /** Routes delivered messages through {@code router} first ({@link Router}). */
    public void router(Router router) {
        dispatcher.router(router);
    }

    /** Runs {@code task} on the node thread in every turn (at least every 10 ms), before the engine's bulk work. */
    public void everyTurn(NodeTask task) {
        loop.everyTurn(task::run);
    }

    /** Shows every event to {@code observer} on the node thread, before the listener sees it. */
    public void observeEvents(java.util.function.Consumer<TetherEvent> observer) {
        loop.observer(observer);
    }

    /** The pattern layers' counters, read on the node thread for {@link #stats()}. */
    public void callStats(Supplier<CallStats> stats) {
        this.callStats = stats;
    }

    /** Runs {@code task} on the node thread when the node stops, where unfinished sends fail. */
    public void onStopping(NodeTask task) {
        this.stopping = task;
    }

    // ---- services for pattern layers -----------------------------------------------------------------

    /** Management's access to the engine and the store, each through its owner's queue. */
    public NodeOperations operations() {
        return new NodeOperations(loop, storeWriter, id());
    }

    /** Runs {@code task} on the node thread. */
    public void post(NodeTask task) {
        loop.post(task::run);
    }

    /**
     * Runs {@code task} on the node thread, or, if the node stopped before it could run, fails {@code answer} with
     * {@link NodeClosedException}: for a task that completes a future a caller waits for, so that no caller waits
     * for good on a node that shut down meanwhile.
     */
    public void post(NodeTask task, CompletableFuture<?> answer) {
        loop.post(NodeLoop.answering(task, answer, id()));
    }

    /** Whether the calling thread is the node thread. */
    public boolean onNodeThread() {
        return loop.onNodeThread();
    }

    /** The store epoch of this node's incarnation. */
    public long epoch() {
        return epoch;
    }

    /** This process's boot id: the sender epoch of its volatile streams. */
    public long bootId() {
        return bootId;
    }

    /** Publishes on this node's channel logs, manages their readers and stores memberships, for the channel layer. */
    public ChannelPort channels() {
        return channels;
    }

    /** The node's clock. */
    public Clock clock() {
        return config.clock();
    }

    /** The node's settings. */
    public NodeSettings settings() {
        return config;
    }

    public StoreTransactions transactions() {
        return new StoreTransactions(storeWriter, config.store());
    }

    /** The node's handler pool (its threads start on first use). */
    public ExecutorService handlerThreads() {
        return handlers;
    }

    /**
     * This node holds the cluster verdict of generation {@code generation} by {@code decider} on {@code node}: while it
     * is {@code banned} and removed, its connections are refused with a {@link KickRefusal}. Any thread.
     */
    public void clusterVerdict(NodeId node, NodeId decider, long generation, boolean banned) {
        admission.clusterVerdict(new KickRefusal(node, id(), decider, generation), banned);
    }

    /** Reports {@code event} to the listener; node thread only. */
    public void emit(TetherEvent event) {
        loop.emit(event);
    }

    /** An application handler threw {@code e} on {@code d}: counted in the handler errors, reported; any thread. */
    public String handlerFailed(dev.tether.Delivery d, Throwable e) {
        return dispatcher.handlerFailed(d, e);
    }

    /** Withdraws message {@code seq} of outbound stream {@code key} (a cancelled call; {@link Engine#cancel}); node thread only. */
    public void cancel(StreamKey key, long seq) {
        loop.engine().cancel(config.clock().millis(), key, seq);
    }

    /** Node thread: stores {@code effects} ({@link Engine#writeKeys}); runs {@code then} there once durable. */
    public void writeKeys(List<Effect> effects, Runnable then) {
        loop.ownWrites().writeKeys(config.clock().millis(), effects, then);
    }

    /** The store epoch {@code peer} stated in its latest HELLO, 0 if none is known; node thread only. */
    public long peerEpoch(NodeId peer) {
        return loop.engine().peerEpoch(peer);
    }

    /** Counts and reports a malformed message from {@code peer} as a protocol error; node thread only. */
    public void protocolError(NodeId peer, String reason) {
        loop.engine().onInvalidMessage(config.clock().millis(), peer, reason);
    }

    public NodeId id() {
        return config.nodeId();
    }

    /** The {@link VirtualMachineError} that ended the node thread and made the node close itself, or null. */
    Throwable loopFatal() {
        return loop.fatal();
    }

    // ---- sending --------------------------------------------------------------------------------------

    public SendReceipt send(NodeId to, byte[] payload) {
        return send(to, Lanes.DEFAULT, payload);
    }

    public SendReceipt send(NodeId to, String lane, byte[] payload) {
        return sendCalls.send(to, lane, payload);
    }

    public SendReceipt send(OutboundMessage m) {
        return sendCalls.send(m);
    }

    /** Every way to send: at once, waiting for room, or offered ({@link SendCalls}). */
    public SendCalls sends() {
        return sendCalls;
    }

    /**
     * Sends a message for a pattern layer: as {@code send}, but {@code headers} and {@code lane} may be reserved, the
     * payload is not copied, and {@code hook} (if not null) hears on the node thread when the send reaches the node
     * thread and when it is stored or rejected, before the receipt's futures complete.
     *
     * @param expiresAt deadline in epoch milliseconds, 0 for none
     * @throws UnknownPeerException, MessageTooLargeException, QueueFullException, NodeClosedException as {@code send}
     */
    public SendReceipt submit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook) {
        return sendCalls.submit(to, lane, headers, payload, expiresAt, hook);
    }

    // ---- membership -----------------------------------------------------------------------------------

    public List<PeerInfo> peers() {
        if (closing) throw new NodeClosedException("node " + id() + " is shut down");
        return membership.peers();
    }

    public void addPeer(NodeId peer) {
        addPeer(peer, List.of());
    }

    public void addPeer(NodeId peer, List<String> addresses) {
        Objects.requireNonNull(addresses, "addresses");
        if (closing) throw new NodeClosedException("node " + id() + " is shut down; addPeer rejected");
        membership.add(peer, addresses);
    }

    public PeerRemoval removePeer(NodeId peer) {
        return kickPeer(peer, false).removal();
    }

    /** {@link #removePeer}; with {@code purge} (a cluster kick) the outbox to it is purged in the same step. */
    public PeerKick kickPeer(NodeId peer, boolean purge) {
        if (closing) throw new NodeClosedException("node " + id() + " is shut down; removePeer rejected");
        PeerKick k = membership.remove(peer, purge);
        sends.rooms.wake(peer); // senders blocked on its full streams give up: it is unknown now
        return k;
    }

    /** Returns the message's size: payload plus encoded headers; refused as a send would be. */
    public long checkSize(Map<String, String> headers, int payloadLength) {
        return sends.checkSize(headers, payloadLength);
    }

    // ---- receiving ------------------------------------------------------------------------------------

    public Delivery receive(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (closing) throw new NodeClosedException("node " + id() + " is shut down");
        return dispatcher.poll(timeout);
    }

    public List<DeadLetterView> deadLetters(int max) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, was " + max);
        if (closing) throw new NodeClosedException("node " + id() + " is shut down");
        List<DeadLetterView> l = new ArrayList<>();
        for (DeadLetter d : await(storeWriter.deadLetters(max), "reading dead letters")) {
            l.add(new DeadLetterView(d.from(), d.lane(), d.seq(), d.headers(), d.payload(), d.attempts(), d.reason()));
        }
        return l;
    }

    // ---- statistics -----------------------------------------------------------------------------------

    public NodeStats stats() {
        NodeStats done = finalStats;
        if (done != null) return done;
        if (loop.onNodeThread()) return snapshot(); // from a listener or an inline handler
        CompletableFuture<NodeStats> f = new CompletableFuture<>();
        post(now -> f.complete(snapshot()), f);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            done = finalStats;
            if (done != null) return done;
            throw new TetherException("node " + id() + " did not answer a statistics request within 10 s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NodeClosedException closed) {
                done = finalStats; // the loop ended; shutdown sets the final picture right after
                if (done != null) return done;
                throw closed;
            }
            throw new TetherException("statistics failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetherException("interrupted while waiting for statistics");
        }
    }

    /** Builds the snapshot; node thread only. */
    private NodeStats snapshot() {
        return StatsSnapshot.take(
                id(), epoch, loop, sends.rooms, channels, transportEvents, dispatcher, callStats.get(), idempotency);
    }

    // ---- shutdown -------------------------------------------------------------------------------------

    /** Closes the node; an interrupt (set before or during the call) does not cut its waits short: kept for after. */
    public synchronized ShutdownResult shutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Uninterruptibly.call(() -> closeWithin(timeout));
    }

    private ShutdownResult closeWithin(Duration timeout) {
        if (shutdownResult != null) return shutdownResult;
        if (loop.onNodeThread()) {
            throw new IllegalStateException("shutdown() called on the node thread (from a listener or a handler"
                    + " running on it); it waits for that thread, so call it from another thread");
        }
        stopAccepting();
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Map<NodeId, Long>> drained = new CompletableFuture<>();
        loop.post(now -> loop.afterEachTurn(n -> {
            if (loop.engine().unackedByPeer().isEmpty()) drained.complete(Map.of());
        }));
        boolean done = awaitUntil(drained, deadline);
        dispatcher.stop();
        // Let the store finish what was already decided (cursors, trims), then take the final picture.
        CompletableFuture<NodeStats> last = new CompletableFuture<>();
        CompletableFuture<Map<NodeId, Long>> pending = new CompletableFuture<>();
        long graceDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STORE_GRACE_MILLIS);
        loop.post(now -> loop.afterEachTurn(n -> {
            if (loop.engine().storeIdle() || System.nanoTime() > graceDeadline) {
                last.complete(snapshot());
                pending.complete(loop.engine().unackedByPeer());
                loop.afterEachTurn(null);
            }
        }));
        boolean graceful = awaitUntil(pending, graceDeadline + TimeUnit.SECONDS.toNanos(1));
        // Open sends fail on the node thread, the only one touching receipts; here if the loop died first (VM error).
        AtomicBoolean failed = new AtomicBoolean();
        NodeLoop.Command failOpen = now -> {
            if (!failed.compareAndSet(false, true)) return;
            stopping.run(now);
            loop.receipts()
                    .failAll(ClosedNodeErrors.of(
                            id(),
                            loop.fatal(),
                            "node " + id() + " shut down before this send's outcome was known; if it was stored, it"
                                    + " is delivered after the next start",
                            "this send's outcome is not known (if it was stored, it is delivered after the next"
                                    + " start)"));
        };
        loop.post(failOpen);
        loop.stop();
        boolean loopEnded = joinLoop();
        if (loopEnded) failOpen.run(config.clock().millis());
        handlers.shutdownNow();
        Uninterruptibly.awaitTermination(handlers, 1000);
        ClosingSteps.closeConnections(id(), config);
        if (!storeWriter.close(STORE_GRACE_MILLIS)) ClosingSteps.commitStuck(id(), storeWriter, STORE_GRACE_MILLIS);
        Map<NodeId, Long> left =
                graceful ? pending.join() : loopEnded ? loop.engine().unackedByPeer() : Map.of();
        finalStats = last.getNow(null);
        if (finalStats == null && loopEnded) finalStats = snapshot();
        long total = left.values().stream().mapToLong(Long::longValue).sum();
        shutdownResult = new ShutdownResult(done && total == 0, total, left);
        return shutdownResult;
    }

    /**
     * Test support, not API (reach it through {@code dev.tether.testkit.NodeCrash}): stops this node in-process as
     * a SIGKILL would stop its process. Nothing further is decided or committed: the node loop stops between two
     * commands (no end of turn, so no batch, frame, acknowledgment or delivery leaves it), the store writer
     * starts nothing more and the commit in progress is interrupted; handlers are interrupted and their results
     * ignored. Then the transport closes (peers see the node go down) and the store closes, releasing its files,
     * so a new node can open the same store at once. Futures still open fail with {@link NodeClosedException}
     * (in a real crash they would vanish with the process). A later {@code shutdown} returns what this left.
     *
     * @throws IllegalStateException if called on the node thread
     */
    public synchronized void crash() {
        if (shutdownResult != null) return;
        if (loop.onNodeThread()) throw new IllegalStateException("crash() called on the node thread");
        Uninterruptibly.run(this::crashNow);
    }

    private void crashNow() {
        stopAccepting();
        storeWriter.halt();
        loop.halt();
        dispatcher.stop();
        boolean loopEnded = joinLoop();
        handlers.shutdownNow();
        Uninterruptibly.awaitTermination(handlers, 1000);
        ClosingSteps.closeConnections(id(), config);
        if (!storeWriter.abandon(STORE_GRACE_MILLIS)) {
            LOG.log(System.Logger.Level.WARNING, "node " + id() + " crashed with a commit running; store left open");
        }
        Map<NodeId, Long> left = Map.of();
        if (loopEnded) { // the engine and the receipts are ours now: nothing else touches them
            left = loop.engine().unackedByPeer();
            stopping.run(config.clock().millis());
            loop.receipts().failAll(new NodeClosedException("node " + id() + " crashed"));
        }
        long total = left.values().stream().mapToLong(Long::longValue).sum();
        shutdownResult = new ShutdownResult(false, total, left);
    }

    private void stopAccepting() { // a shutdown or crash begins: no more sends, pulls or publishes
        closing = true;
        sends.rooms.close();
        channels.closeRooms();
    }

    /** Waits for the node loop to end; false (and logged) if it is still running (stuck in a callback). */
    private boolean joinLoop() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ClosingSteps.LOOP_JOIN_MILLIS);
        if (awaitUntil(loop.ended(), deadline)) return true;
        ClosingSteps.loopStuck(id(), loop.owner());
        return false;
    }

    private boolean awaitUntil(CompletableFuture<?> f, long deadlineNanos) { // false at once if the loop ends first
        return Uninterruptibly.await(CompletableFuture.anyOf(f, loop.ended()), deadlineNanos) && f.isDone();
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof TetherException te) throw te;
            throw new StoreException(what + " failed: " + c, c);
        } catch (TimeoutException e) {
            throw new StoreException(what + " timed out after 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetherException("interrupted while " + what);
        }
    }

    public void close() {
        shutdown(Duration.ZERO);
    }
}
