package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.TetherListener;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.EngineOutput;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.spi.Transport;
import dev.tether.spi.WriteBatch;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The node thread: the only thread that touches the {@link Engine}, the {@link Receipts} and the listener.
 * Other threads hand it work with {@link #post}. Each turn runs every queued command with one timestamp,
 * fires timers, then lets the engine commit, deliver and transmit in bulk ({@link Engine#endTurn}).
 */
final class NodeLoop implements EngineOutput, Runnable {
    /** Work for the node thread; {@code now} is the turn's wall-clock time in milliseconds. */
    @FunctionalInterface
    interface Command {
        void run(long now);
    }

    private static final System.Logger LOG = System.getLogger("dev.tether");
    private static final long TICK_MILLIS = 10;

    private final ConcurrentLinkedQueue<Command> queue = new ConcurrentLinkedQueue<>();
    /** Set by the node thread before it parks; producers wake it only then, so a busy loop costs no syscalls. */
    private volatile boolean parked;

    private Thread owner;
    private final Clock clock;
    private final Transport transport;
    private final TetherListener listener;
    private final Receipts receipts;
    private final AtomicLong listenerErrors = new AtomicLong();
    private Engine engine;
    private StoreWriter storeWriter;
    private Dispatcher dispatcher;
    private volatile boolean running = true;
    private Command afterTurn;

    NodeLoop(Clock clock, Transport transport, TetherListener listener, AtomicLong pendingSendBytes) {
        this.receipts = new Receipts(pendingSendBytes, key -> engine.ackedSeq(key));
        this.clock = clock;
        this.transport = transport;
        this.listener = listener;
    }

    void wire(Engine engine, StoreWriter storeWriter, Dispatcher dispatcher) {
        this.engine = engine;
        this.storeWriter = storeWriter;
        this.dispatcher = dispatcher;
    }

    Engine engine() {
        return engine;
    }

    Receipts receipts() {
        return receipts;
    }

    long listenerErrors() {
        return listenerErrors.get();
    }

    void post(Command c) {
        queue.add(c);
        if (parked) {
            Thread t = owner;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /** Runs {@code c} on the node thread after every turn until replaced or cleared (node thread only). */
    void afterEachTurn(Command c) {
        afterTurn = c;
    }

    /** Stops the loop after every command queued before this call has run. */
    void stop() {
        post(now -> running = false);
    }

    @Override
    public void run() {
        owner = Thread.currentThread();
        long nextTick = 0;
        while (running && !owner.isInterrupted()) {
            Command c = nextOrPark();
            long now = clock.millis();
            int n = 0;
            while (c != null) {
                runSafely(c, now);
                c = ++n < 65_536 ? queue.poll() : null;
            }
            if (now >= nextTick) {
                runSafely(engine::onTick, now);
                nextTick = now + TICK_MILLIS;
            }
            runSafely(engine::endTurn, now);
            if (afterTurn != null) runSafely(afterTurn, now);
        }
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
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // A bug, not an input problem: report it loudly and keep the node alive.
            LOG.log(System.Logger.Level.ERROR, "tether node loop: command failed", e);
            emit(new TetherEvent.ApplicationError("node loop", e.toString()));
        }
    }

    void emit(TetherEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            listenerErrors.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "tether listener threw on " + event, e);
        }
    }

    // ---- EngineOutput ---------------------------------------------------------------------------------

    @Override
    public void transmit(NodeId peer, ByteBuffer frame) {
        transport.send(peer, frame);
    }

    @Override
    public void flush() {
        transport.flush();
    }

    @Override
    public void persist(long batchId, long afterBatchId, WriteBatch batch) {
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
        receipts.rejected(token, error);
    }

    @Override
    public void acked(StreamKey key, long upToSeq) {
        receipts.acked(key, upToSeq);
    }

    @Override
    public void outcome(StreamKey key, long seq, Outcome outcome) {
        receipts.outcome(key, seq, outcome);
    }

    @Override
    public void deliver(StreamKey key, long generation, List<InboundMessage> messages) {
        dispatcher.deliver(key, generation, messages);
    }

    @Override
    public void event(TetherEvent event) {
        emit(event);
    }
}
