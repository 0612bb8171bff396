package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.Priority;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.TetherListener;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineOutput;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.InboundRef;
import dev.tether.internal.engine.OutboundRef;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.Transport;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The node thread: the only thread that touches the {@link Engine}, the {@link Receipts} and the listener.
 * Other threads hand it work with {@link #post}. Each turn runs every queued command with one timestamp,
 * fires timers, then lets the engine commit, deliver and transmit in bulk ({@link Engine#endTurn}).
 *
 * <p>The loop runs in one of two ways, chosen once by {@link #start}: on a thread of its own, which parks
 * when there is no work; or <em>hosted</em> on the transport's I/O thread ({@link Transport#nodeExecutor()}),
 * where a turn is a task of that executor. Hosted, a frame the transport reads is handled, and the frames it
 * causes are written, on the same thread without a hand-off: on a small machine each hand-off (a wake-up)
 * costs 10-20 µs of round trip.
 */
final class NodeLoop implements EngineOutput, Runnable {
    /** Work for the node thread; {@code now} is the turn's wall-clock time in milliseconds. */
    @FunctionalInterface
    interface Command {
        void run(long now);

        /**
         * Called instead of {@link #run} if the command was posted too late: after the loop ended, so it will
         * never run. Runs on whichever thread noticed (the poster's or the loop's last); a command someone
         * waits for answers here (a send fails its receipt), so that nothing posted to a stopped node hangs.
         */
        default void refuse() {}
    }

    /**
     * A command running {@code task} that, refused (posted after the loop ended), fails {@code answer} with {@link
     * dev.tether.NodeClosedException} naming {@code node}: for a task that completes a future someone waits for.
     */
    static Command answering(NodeTask task, java.util.concurrent.CompletableFuture<?> answer, Object node) {
        return new Command() {
            @Override
            public void run(long now) {
                task.run(now);
            }

            @Override
            public void refuse() {
                answer.completeExceptionally(new dev.tether.NodeClosedException("node " + node + " is shut down"));
            }
        };
    }

    private static final System.Logger LOG = System.getLogger("dev.tether");
    private static final long TICK_MILLIS = 10;
    /** Commands per turn at most, so timers and the engine's bulk work are not starved by a flood. */
    private static final int MAX_COMMANDS_PER_TURN = 65_536;
    /** Turns per task when hosted: enough to settle a run of a handler on the node thread before writing. */
    private static final int TURNS_PER_TASK = 4;

    /** Commands by priority level ({@link #post(Command, int)}); everything else posts at the default level. */
    private final LeveledInput queue = new LeveledInput();
    /**
     * The highest level among the commands run in this turn and the inputs the engine found urgent in it ({@link
     * #urgent}): above the default, the turn ends before a command of a lower level, so that the bulk work (store
     * batch, transmission, delivery) for high-priority work is not held behind the rest of a flood's commands. Node
     * thread only.
     */
    private int turnLevel;
    /** Set by the node thread before it parks; producers wake it only then, so a busy loop costs no syscalls. */
    private volatile boolean parked;

    private volatile Thread owner;
    private final Clock clock;
    private final Transport transport;
    private final TetherListener listener;
    private final Receipts receipts;
    /** Room released at the end of each turn for the streams that changed in it. */
    private final SendRooms rooms;

    private final CallbackErrors callbackErrors = new CallbackErrors();
    private Engine engine;
    private OwnWrites ownWrites;
    private StoreWriter storeWriter;
    private Dispatcher dispatcher;
    private volatile boolean running = true;
    /**
     * Set once the loop has run its last command. From then on whoever posts, or the loop itself on its way out,
     * refuses what is queued: the poster checks this flag after queueing, the loop drains after setting it, so
     * every command posted after the end is seen by at least one of them (and refused exactly once).
     */
    private volatile boolean over;
    /** {@link #halt}: stop between two commands, run nothing more (no tick, no end of turn). */
    private volatile boolean halted;

    private Command afterTurn;
    /** A pattern layer's work of every turn (its deadlines), before the engine's bulk work; set before start. */
    private volatile Command everyTurn;

    private ChannelRooms channelRooms;
    /** A pattern layer watching events (peers connecting); set before start. */
    private volatile java.util.function.Consumer<TetherEvent> observer;

    private long nextTick;
    /** Origin of {@link #micros()}: round trips are measured on the monotonic clock, not the wall clock. */
    private final long nanoOrigin = System.nanoTime();

    /** The executor the loop is hosted on, or null while it is not (yet) hosted. */
    private volatile ScheduledExecutorService host;
    /** True while a hosted task runs its turns; node thread only. */
    private boolean inTask;
    /** True while a turn task is submitted to the host and has not started: at most one is pending. */
    private final AtomicBoolean turnPending = new AtomicBoolean();

    private final Runnable hostedTurn = this::hostedTurn;
    private volatile ScheduledFuture<?> ticks;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** What ended the loop if not a stop: a {@link VirtualMachineError} (see {@link CallbackErrors#isFatal}). */
    private volatile Throwable fatal;
    /** Closes the node after a {@link #fatal} end, on a thread of its own; set before the loop starts. */
    private volatile Runnable closeNode;

    NodeLoop(Clock clock, Transport transport, TetherListener listener, AtomicLong pendingSendBytes, SendRooms rooms) {
        this.receipts = new Receipts(pendingSendBytes, key -> engine.outbound().ackedSeq(key));
        this.rooms = rooms;
        this.clock = clock;
        this.transport = transport;
        this.listener = listener;
    }

    void wire(Engine engine, StoreWriter storeWriter, Dispatcher dispatcher) {
        this.engine = engine;
        this.ownWrites = new OwnWrites(engine);
        this.storeWriter = storeWriter;
        this.dispatcher = dispatcher;
    }

    Engine engine() {
        return engine;
    }

    /** The node's own writes to its store (not messages'); node thread only. */
    OwnWrites ownWrites() {
        return ownWrites;
    }

    /** The input, for tests that post through a loop that is not started and take the commands themselves. */
    LeveledInput input() {
        return queue;
    }

    Receipts receipts() {
        return receipts;
    }

    /** What the listener and the commit observer threw, counted. */
    CallbackErrors callbackErrors() {
        return callbackErrors;
    }

    /** Queues {@code c} at the default level, FIFO. */
    void post(Command c) {
        queue.add(c);
        posted();
    }

    /**
     * Queues {@code c} at priority {@code level}: ahead of the lower levels' queued commands, weighted
     * (docs/PROTOCOL.md, "Priority"), FIFO among those of its level. Commands whose order matters must be posted at
     * one level, and {@code level} must come from {@link #levelFor} (fences).
     */
    void post(Command c, int level) {
        queue.add(c, level);
        posted();
    }

    /**
     * Queues {@code c} (null: nothing) at the default level as a fence: until it has run, {@link #levelFor} holds
     * every leveled post at the default level behind it ({@link LeveledInput}, "Fences").
     */
    void postFence(Command c) {
        queue.add(queue.fenced(c));
        posted();
    }

    /** Any thread: the level to post a command wanting {@code wanted} at now (the default while a fence waits). */
    int levelFor(int wanted) {
        return queue.levelFor(wanted);
    }

    private void posted() {
        if (over) {
            refuseQueued();
            return;
        }
        ScheduledExecutorService h = host;
        if (h != null) {
            // Posted by the running task's own commands (a commit's answer, a handler on the node thread): that task
            // runs it, or submits another at its end; a task of its own would run an empty turn first.
            if (onNodeThread() && inTask) return;
            if (!turnPending.get() && turnPending.compareAndSet(false, true)) submitTurn(h);
        } else if (parked) {
            Thread t = owner;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /**
     * Starts the loop: hosted on {@code executor}, or on a new daemon thread named {@code threadName} if it is
     * null. Commands posted before this call run in the first turn.
     */
    void start(ScheduledExecutorService executor, String threadName) {
        if (executor == null) {
            Thread t = new Thread(this, threadName);
            t.setDaemon(true);
            t.start();
            return;
        }
        host = executor;
        ticks = executor.scheduleAtFixedRate(() -> post(now -> {}), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        turnPending.set(true);
        submitTurn(executor);
    }

    private void submitTurn(ScheduledExecutorService h) {
        try {
            h.execute(hostedTurn);
        } catch (RejectedExecutionException e) {
            // The transport closed under a running node: nothing can be sent or received any more.
            turnPending.set(false);
            if (running) LOG.log(System.Logger.Level.WARNING, "tether node loop: transport executor is shut down");
        }
    }

    /**
     * Turns as one task of the host, while commands keep coming, up to {@link #TURNS_PER_TASK}: what a turn
     * causes on this thread (a handler run on the node thread, then its settlement) then happens before the
     * transport writes, so its frames leave in the same write as the turn's (one system call, one wake-up of
     * the peer). Another task is submitted if commands remain or arrive meanwhile: by another thread's post, or here
     * at the end for those its own commands posted.
     */
    private void hostedTurn() {
        turnPending.set(false); // from here on, a post submits a new turn
        if (!running) {
            finishHosted();
            return;
        }
        owner = Thread.currentThread();
        inTask = true;
        try {
            int turns = 0;
            do {
                turn(queue.poll());
            } while (running && ++turns < TURNS_PER_TASK && !queue.isEmpty());
        } catch (VirtualMachineError e) { // the host would log it and run the next turn on broken state
            fatal = e;
            running = false;
            finishHosted();
            throw e;
        } finally {
            inTask = false;
        }
        if (!running) {
            finishHosted();
        } else if (!queue.isEmpty() && turnPending.compareAndSet(false, true)) {
            submitTurn(host);
        }
    }

    /** Microseconds on the monotonic clock since this loop was made, for {@link Engine#preciseTime}. */
    long micros() {
        return (System.nanoTime() - nanoOrigin) / 1_000;
    }

    /** The thread that ran the loop's latest turn (hosted: the host's), or null before the first. */
    Thread owner() {
        return owner;
    }

    /** Whether the calling thread is the one running the loop's turns. */
    boolean onNodeThread() {
        return Thread.currentThread() == owner;
    }

    /** Completes when the loop has stopped (after {@link #stop}). */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Runs {@code c} on the node thread in every turn, before the engine's bulk work; set before the loop starts. */
    /** The channel logs' publish admission, whose rooms take the engine's counts at the end of every turn. */
    void channelRooms(ChannelRooms r) {
        channelRooms = r;
    }

    void everyTurn(Command c) {
        everyTurn = c;
    }

    /** Runs {@code c} on the node thread after every turn until replaced or cleared (node thread only). */
    void afterEachTurn(Command c) {
        afterTurn = c;
    }

    private void finishHosted() {
        if (ticks != null) ticks.cancel(false);
        end();
    }

    /** Stops the loop after every command queued before this call has run. */
    void stop() {
        post(now -> running = false);
    }

    /**
     * Stops the loop as a killed process stops: after the command running now (if any), nothing more runs on it,
     * not even the end of the turn; what is queued is refused. {@link #ended()} completes once it has stopped.
     */
    void halt() {
        halted = true;
        running = false;
        post(now -> {}); // wakes a parked loop, or makes the host run a turn that notices
    }

    /** The loop on a thread of its own. */
    @Override
    public void run() {
        owner = Thread.currentThread();
        try {
            while (running && !owner.isInterrupted()) turn(nextOrPark());
        } catch (VirtualMachineError e) {
            fatal = e;
            throw e;
        } finally {
            end();
        }
    }

    /**
     * The loop has run its last command: refuse what is still queued and what is posted from now on. Ended by a
     * {@link VirtualMachineError} rather than a stop, it says so and closes the node ({@link #closeNode}): a node
     * whose loop is gone must not keep its transport and store open, seen as connected while it answers nothing.
     */
    private void end() {
        if (over) { // hosted: a turn task queued before the end finds the loop stopped; it ended once already
            refuseQueued();
            return;
        }
        over = true;
        refuseQueued();
        ended.complete(null);
        Throwable f = fatal;
        Runnable close = closeNode;
        if (f == null || close == null) return;
        LOG.log(System.Logger.Level.ERROR, "tether node loop ended by " + f + "; the node closes itself", f);
        Thread t = new Thread(close, "tether-close-after-" + f.getClass().getSimpleName());
        t.setDaemon(true);
        t.start();
    }

    /** Called (on a thread of its own) to close the node when the loop ends by a {@link VirtualMachineError}. */
    void closeNodeOnFatalEnd(Runnable close) {
        closeNode = close;
    }

    /**
     * Ends the loop with {@code fatal}, a {@link VirtualMachineError} a callback threw on another thread (the commit
     * observer on the store's): thrown on the node thread as if a command had thrown it, after the commands queued
     * before, so the node logs it and closes itself as after the listener's ({@link #end}). Any thread.
     */
    void endWith(String where, Error fatal) {
        LOG.log(System.Logger.Level.ERROR, "tether " + where + " threw " + fatal + "; the node loop ends with it");
        post(now -> {
            throw fatal;
        });
    }

    /** The {@link VirtualMachineError} that ended the loop, or null. */
    Throwable fatal() {
        return fatal;
    }

    private void refuseQueued() {
        for (Command c = queue.drain(); c != null; c = queue.drain()) {
            try {
                c.refuse();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "tether node loop: refusing a late command failed", e);
            }
        }
    }

    /** Runs {@code first} and the commands queued after it with one timestamp, due timers, then the engine's bulk work. */
    private void turn(Command first) {
        long now = clock.millis();
        engine.preciseTime(micros());
        int n = 0;
        turnLevel = queue.lastLevel();
        for (Command c = first; c != null; c = ++n < MAX_COMMANDS_PER_TURN ? nextInTurn() : null) {
            if (halted) {
                c.refuse();
                return;
            }
            runSafely(c, now);
        }
        if (halted) return;
        if (now >= nextTick) {
            runSafely(engine::onTick, now);
            nextTick = now + TICK_MILLIS;
        }
        Command hook = everyTurn;
        if (hook != null) runSafely(hook, now);
        runSafely(engine::endTurn, now);
        rooms.endOfTurn(now, engine, this::emit);
        if (channelRooms != null) channelRooms.endOfTurn(now, engine, this::emit);
        if (afterTurn != null) runSafely(afterTurn, now);
    }

    /**
     * The turn's next command, or null to end the turn: when none is queued, or when the highest level queued is below
     * the turn's ({@link #turnLevel}) and that is above the default. Unprioritised, nothing ends early.
     */
    private Command nextInTurn() {
        if (turnLevel > Priority.DEFAULT && queue.topLevel() < turnLevel) return null;
        Command c = queue.poll();
        // Written only when it rises: posters read this object's fields (posted), a write per command costs them a miss
        if (c != null && queue.lastLevel() > turnLevel) turnLevel = queue.lastLevel();
        return c;
    }

    /** The next command, or null after parking up to a tick when there is none. */
    private Command nextOrPark() {
        Command c = queue.poll();
        if (c != null) return c;
        parked = true;
        c = queue.poll(); // re-check after announcing: a producer that missed the flag has queued by now
        if (c == null) LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
        parked = false;
        return c != null ? c : queue.poll();
    }

    private void runSafely(Command c, long now) {
        try {
            c.run(now);
        } catch (Throwable e) {
            if (CallbackErrors.isFatal(e)) throw (Error) e;
            // A bug, not an input problem: report it loudly and keep the node alive.
            LOG.log(System.Logger.Level.ERROR, "tether node loop: command failed", e);
            emit(new TetherEvent.ApplicationError("node loop", e.toString()));
        }
    }

    /** Sees every event before the listener (node thread); set before the loop starts. */
    void observer(java.util.function.Consumer<TetherEvent> o) {
        observer = o;
    }

    void emit(TetherEvent event) {
        java.util.function.Consumer<TetherEvent> o = observer;
        if (o != null) o.accept(event);
        try {
            listener.onEvent(event);
        } catch (Throwable e) {
            if (CallbackErrors.isFatal(e)) throw (Error) e;
            // Any Error of the listener (an assertion of a test's listener, an application's own Error) is the
            // listener's bug, not the loop's: counted like an exception, so that it can neither abort the command
            // that emitted the event nor, thrown again from the report of that failure, end the loop.
            callbackErrors.count("listener, on " + event, e);
        }
    }

    // ---- EngineOutput ---------------------------------------------------------------------------------

    @Override
    public void transmit(NodeId peer, ByteBuffer frame) {
        transport.send(peer, frame);
    }

    /** The engine found a high-priority input in this turn: the turn ends before lower-level commands. */
    @Override
    public void urgent(int level) {
        turnLevel = Math.max(turnLevel, level);
    }

    @Override
    public void flush() {
        transport.flush();
    }

    @Override
    public void persist(long batchId, long afterBatchId, WriteBatch batch) {
        rooms.batchCut(); // routed copies handed over before it are in it
        storeWriter.commit(batchId, afterBatchId, batch);
    }

    @Override
    public void load(StreamKey key, long fromSeq, int max) {
        storeWriter.load(key, fromSeq, max);
    }

    @Override
    public void accepted(long token, StreamKey key, long seq) {
        receipts.accepted(token, key, seq);
    }

    @Override
    public void rejected(long token, TetherException error) {
        Receipts.Receipt r = receipts.rejected(token, error);
        if (r != null && r.room != null) rooms.mark(r.room);
    }

    @Override
    public void acked(StreamKey key, long upToSeq) {
        receipts.acked(key, upToSeq);
        rooms.changed(key);
    }

    @Override
    public void acked(OutboundRef stream, long upToSeq) {
        receipts.acked(stream.key(), upToSeq);
        if (stream.attachment() instanceof SendRooms.Room r) rooms.mark(r);
        else rooms.changed(stream.key());
    }

    @Override
    public void outcome(StreamKey key, long seq, Outcome outcome) {
        receipts.outcome(key, seq, outcome);
        rooms.changed(key);
    }

    @Override
    public void volatileLost(StreamKey key, long upToSeq) {
        dispatcher.volatileLost(key, upToSeq);
    }

    @Override
    public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
        dispatcher.deliver(key, generation, messages);
    }

    @Override
    public void deliver(InboundRef stream, long generation, List<InboundMessage> messages) {
        dispatcher.deliver(stream, generation, messages);
    }

    @Override
    public void runCanGrow(StreamKey key, long generation) {
        dispatcher.runCanGrow(key, generation);
    }

    @Override
    public void cancelRequested(StreamKey key, long senderEpoch, long seq) {
        dispatcher.cancelRequested(key, senderEpoch, seq);
    }

    @Override
    public void event(TetherEvent event) {
        emit(event);
    }

    @Override
    public void written(long token) {
        Runnable r = ownWrites.take(token);
        if (r != null) runSafely(now -> r.run(), clock.millis());
    }
}
