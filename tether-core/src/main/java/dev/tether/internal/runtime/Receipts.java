package dev.tether.internal.runtime;

import dev.tether.MessageDroppedException;
import dev.tether.MessageId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.TetherException;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.util.TokenRing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * The futures of sends in progress. Owned by the node thread: every method is called there, so completions
 * (and callbacks attached without {@code *Async}) run on the node thread.
 *
 * <p>A {@code processed()} future exists only once the application asked for it: a backlog of a million
 * messages to an offline peer costs nothing here unless the application holds a million futures itself.
 */
final class Receipts {
    /**
     * One send's futures, each made only when asked for: most senders never look at them, and completing a future
     * nobody holds was the node thread's dearest step per message. Fields other than the futures and the outcome are
     * touched on the node thread only.
     *
     * <p>A send's receipt is also its command in the node loop's input ({@link SendCommands.Submit} extends it, a
     * {@link CommandQueue.Link}): one object per send, not a receipt and a command. Any other receipt (a publish's)
     * is never posted.
     */
    static class Receipt extends CommandQueue.Link implements SendReceipt {
        private static final VarHandle OUTCOME;
        /** The outcome of an accepted send (its key and sequence number are in the receipt). */
        private static final Object ACCEPTED = new Object();

        static {
            try {
                OUTCOME = MethodHandles.lookup().findVarHandle(Receipt.class, "outcome", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /**
         * Bytes counted against the node's pending-send budget until the send is stored or rejected (a message's
         * size, at most {@code maxMessageBytes}: an int, so that a send's object is 8 bytes smaller).
         */
        final int bytes;

        /** What every receipt of the node shares: one reference instead of two per send. */
        final Shared shared;
        /** A pattern layer's callbacks, told before the futures complete; null for an application's send. */
        final SendHook hook;

        /** The stream room a send reserved ({@link SendRooms}); null for a publish. Set before it is posted. */
        SendRooms.Room room;

        /**
         * Null while undecided, then, set once by compare-and-set (the first of acceptance and failure wins):
         * {@link #ACCEPTED} ({@link #key} and {@link #seq} written before it) or the {@link TetherException}.
         */
        private volatile Object outcome;

        private volatile CompletableFuture<MessageId> accepted;
        private volatile CompletableFuture<Outcome> processed;
        /**
         * Whether the node thread has taken the send ({@link #take}); until then a {@code processed()} asked for is
         * watched by the node thread when it takes it, not by a command of its own. Guarded by this receipt.
         */
        private boolean taken;

        private StreamKey key;
        private long seq;
        private TetherException failure;
        private boolean watchWhenAccepted;

        /** {@code onNodeThread} tells whether the caller runs on the node thread; such a caller may not wait. */
        Receipt(long bytes, Consumer<Receipt> watch, BooleanSupplier onNodeThread) {
            this(bytes, new Shared(watch, onNodeThread), null, true);
        }

        /**
         * As above, with {@code watch} and {@code onNodeThread} in {@code shared}; unless {@code taken}, the node thread
         * calls {@link #take} when it takes the send (runs or refuses its command), and a {@code processed()} asked for
         * before that posts nothing. A receipt whose {@code hook} (if any) hears of acceptance and rejection first.
         */
        Receipt(long bytes, Shared shared, SendHook hook, boolean taken) {
            this.taken = taken;
            this.hook = hook;
            this.bytes = Math.toIntExact(bytes);
            this.shared = shared;
        }

        /** As {@link #Receipt(long, Shared, SendHook, boolean)}, with a {@link Shared} of its own; for tests. */
        Receipt(long bytes, Consumer<Receipt> watch, BooleanSupplier onNodeThread, SendHook hook, boolean taken) {
            this(bytes, new Shared(watch, onNodeThread), hook, taken);
        }

        /** Only a send's receipt is posted, as its own command ({@link SendCommands.Submit}). */
        @Override
        NodeLoop.Command command() {
            throw new IllegalStateException("a receipt that is not a send's command was posted");
        }

        @Override
        public CompletableFuture<MessageId> accepted() {
            CompletableFuture<MessageId> f = accepted;
            if (f != null) return f;
            synchronized (this) {
                f = accepted;
                if (f != null) return f;
                f = new NodeFuture<>(shared.onNodeThread);
                accepted = f;
            }
            // Written the future, then read the outcome; the deciding thread writes the outcome, then reads the
            // future (both volatile): at least one of the two completes it, and a second completion changes nothing.
            completeAccepted(f, OUTCOME.getVolatile(this));
            return f;
        }

        private void completeAccepted(CompletableFuture<MessageId> f, Object o) {
            if (o == ACCEPTED) f.complete(new MessageId(key.peer(), key.lane(), seq));
            else if (o != null) f.completeExceptionally((TetherException) o);
        }

        /** Decides acceptance or failure {@code o}; false if the other was decided first. */
        private boolean decide(Object o) {
            if (!OUTCOME.compareAndSet(this, null, o)) return false;
            CompletableFuture<MessageId> f = accepted;
            if (f != null) completeAccepted(f, o);
            return true;
        }

        /** Node thread: message {@code seq} of {@code key}. False if the receipt had failed already. */
        boolean accept(StreamKey key, long seq) {
            this.key = key;
            this.seq = seq;
            return decide(ACCEPTED);
        }

        @Override
        public CompletableFuture<Outcome> processed() {
            CompletableFuture<Outcome> f = processed;
            if (f != null) return f;
            synchronized (this) {
                if (processed == null) {
                    processed = new NodeFuture<>(shared.onNodeThread);
                    // Once the send is taken, a command registers it on the node thread; before, the taking does.
                    if (taken) shared.watch.accept(this);
                }
                return processed;
            }
        }

        /**
         * Node thread, as it takes the send (runs or refuses its command): returns whether {@code processed()} was asked
         * for already, which the caller must then watch itself ({@link Receipts#watch}, or fail it). From now on
         * {@code processed()} posts its own watch. A blocking {@code send(...).processed().get()} thus costs the node
         * one command, not two (the second often a turn of its own).
         */
        synchronized boolean take() {
            taken = true;
            return processed != null;
        }

        /**
         * Fails both futures with {@code e} (the node stopped before it could answer); any thread. A future already
         * completed keeps its value, and an acceptance already decided stands.
         */
        synchronized void fail(TetherException e) {
            if (decide(e) && hook != null) hook.rejected(e);
            CompletableFuture<Outcome> p = processed;
            if (p != null) p.completeExceptionally(e);
        }
    }

    /**
     * What a node's receipts share, made once per node (or per kind of receipt): how a {@code processed()} asked for
     * after the send was taken is watched ({@code watch}: it posts a command that calls {@link Receipts#watch}), and
     * whether a caller runs on the node thread (where it may not wait for a future).
     */
    static class Shared {
        final Consumer<Receipt> watch;
        final BooleanSupplier onNodeThread;

        Shared(Consumer<Receipt> watch, BooleanSupplier onNodeThread) {
            this.watch = watch;
            this.onNodeThread = onNodeThread;
        }
    }

    /**
     * Receipts of sends the engine has not yet accepted or rejected, by token. Tokens are taken in order and the
     * engine answers within a few batches, so a ring indexed by token keeps them without a boxed key and a map node
     * per send.
     */
    private final TokenRing<Receipt> byToken = new TokenRing<>();

    private final Map<StreamKey, NavigableMap<Long, CompletableFuture<Outcome>>> awaitingAck = new HashMap<>();
    /**
     * Outcomes other than PROCESSED, per stream, kept after the ack so a late {@code processed()} still gets
     * them. They are rare (expiry, dead letters); the oldest go beyond {@link #OUTCOMES_KEPT} per stream.
     */
    private final Map<StreamKey, NavigableMap<Long, Outcome>> outcomes = new HashMap<>();

    static final int OUTCOMES_KEPT = 10_000;
    /** Set by {@link #failAll}: the node is stopping and answers nothing any more; later sends fail with it. */
    private TetherException closed;

    private final AtomicLong pendingBytes;
    private final ToLongFunction<StreamKey> ackedSeq;

    /** {@code ackedSeq} tells how far the receiver of a stream has taken care of it (node thread only). */
    Receipts(AtomicLong pendingBytes, ToLongFunction<StreamKey> ackedSeq) {
        this.pendingBytes = pendingBytes;
        this.ackedSeq = ackedSeq;
    }

    /**
     * Tracks send {@code token} until the engine accepts or rejects it. Returns false, having failed the receipt,
     * if the node already stopped answering ({@link #failAll}): the send must then not reach the engine.
     */
    boolean register(long token, Receipt r) {
        if (closed != null) {
            pendingBytes.addAndGet(-r.bytes);
            if (r.room != null) r.room.giveBack();
            r.fail(closed);
            return false;
        }
        byToken.put(token, r);
        return true;
    }

    void accepted(long token, StreamKey key, long seq) {
        Receipt r = byToken.remove(token);
        if (r == null) return;
        pendingBytes.addAndGet(-r.bytes);
        if (r.hook != null) r.hook.accepted(key, seq);
        r.accept(key, seq);
        if (r.watchWhenAccepted) watch(r);
    }

    /** Fails send {@code token}'s receipt; returns it (null if unknown), for its stream's room to be looked at. */
    Receipt rejected(long token, TetherException e) {
        Receipt r = byToken.remove(token);
        if (r == null) return null;
        pendingBytes.addAndGet(-r.bytes);
        r.failure = e;
        if (r.hook != null) r.hook.rejected(e);
        r.decide(e);
        CompletableFuture<Outcome> p = r.processed;
        if (p != null) failed(p, e);
        return r;
    }

    /** A send failed with {@code e}: its {@code processed()} too, unless it was dropped (an outcome, not a failure). */
    private static void failed(CompletableFuture<Outcome> processed, TetherException e) {
        if (e instanceof MessageDroppedException) processed.complete(Outcome.DROPPED);
        else processed.completeExceptionally(e);
    }

    /** The application asked for {@code r.processed()}: complete it when its message is taken care of. */
    void watch(Receipt r) {
        CompletableFuture<Outcome> f = r.processed;
        if (closed != null) {
            f.completeExceptionally(closed);
        } else if (r.failure != null) {
            failed(f, r.failure);
        } else if (r.key == null) {
            r.watchWhenAccepted = true;
        } else if (ackedSeq.applyAsLong(r.key) >= r.seq || knownOutcome(r.key, r.seq) != null) {
            f.complete(outcomeOf(r.key, r.seq)); // taken care of before anyone asked
        } else {
            awaitingAck.computeIfAbsent(r.key, k -> new TreeMap<>()).put(r.seq, f);
        }
    }

    /**
     * Message {@code seq} of {@code key} was taken care of as {@code o} (not processed): its future completes now,
     * and a later {@code processed()} gets {@code o} too.
     */
    void outcome(StreamKey key, long seq, Outcome o) {
        NavigableMap<Long, Outcome> m = outcomes.computeIfAbsent(key, k -> new TreeMap<>());
        m.put(seq, o);
        if (m.size() > OUTCOMES_KEPT) m.pollFirstEntry();
        NavigableMap<Long, CompletableFuture<Outcome>> waiting = awaitingAck.get(key);
        CompletableFuture<Outcome> f = waiting == null ? null : waiting.remove(seq);
        if (f != null) f.complete(o);
        if (waiting != null && waiting.isEmpty()) awaitingAck.remove(key);
    }

    private Outcome knownOutcome(StreamKey key, long seq) {
        Map<Long, Outcome> m = outcomes.get(key);
        return m == null ? null : m.get(seq);
    }

    private Outcome outcomeOf(StreamKey key, long seq) {
        Outcome o = knownOutcome(key, seq);
        return o == null ? Outcome.PROCESSED : o;
    }

    void acked(StreamKey key, long upToSeq) {
        if (awaitingAck.isEmpty()) return; // nobody asked for processed(): no lookup per stream and batch
        NavigableMap<Long, CompletableFuture<Outcome>> waiting = awaitingAck.get(key);
        if (waiting == null) return;
        NavigableMap<Long, CompletableFuture<Outcome>> done = waiting.headMap(upToSeq, true);
        done.forEach((seq, f) -> f.complete(outcomeOf(key, seq)));
        done.clear();
        if (waiting.isEmpty()) awaitingAck.remove(key); // an idle stream keeps no empty map
    }

    /** Futures waiting for an acknowledgment; for tests of the memory bound. */
    int watched() {
        return awaitingAck.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Fails every outstanding future with {@code e} (the node stopped), and every send and {@code processed()}
     * registered from now on.
     */
    void failAll(TetherException e) {
        closed = e;
        byToken.forEach(r -> {
            if (r.hook != null) r.hook.rejected(e);
            r.decide(e);
            CompletableFuture<Outcome> p = r.processed;
            if (p != null) p.completeExceptionally(e);
        });
        byToken.clear();
        awaitingAck.values().forEach(m -> m.values().forEach(f -> f.completeExceptionally(e)));
        awaitingAck.clear();
    }
}
