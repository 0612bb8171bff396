package dev.tether.internal.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One level of the node loop's input ({@link LeveledInput}): many producers, one consumer, FIFO, unbounded, without
 * locks (Dmitry Vyukov's intrusive multi-producer single-consumer queue). An add is one atomic exchange of the tail
 * and one volatile write; a poll takes plain reads and writes and acquire reads, with no compare-and-set. The
 * command posted for every send ({@link SendCommands.Submit}) is its own queue node ({@link Link}): no node is
 * allocated per post, where a {@link java.util.concurrent.ConcurrentLinkedQueue} allocates one; other commands are
 * wrapped in one.
 *
 * <p>A command whose producer has exchanged the tail but not linked it yet is not visible, nor any added after it:
 * {@link #poll} returns null and {@link #isEmpty} true meanwhile. Its producer wakes the loop after its add returns
 * ({@link NodeLoop}'s {@code posted}), so nothing is left behind. Each producer's commands come out in the order it
 * added them; commands of different producers in the order of their exchanges.
 *
 * <p>Threading: {@link #add} from any thread. {@link #poll} and {@link #isEmpty} by one consumer at a time, each
 * seeing the previous one's work (the node thread, or the one thread of its host, which runs one task at a time).
 * {@link #drain} from any thread once the consumer polls no more (serialised here). A {@link Link} is added once.
 */
final class CommandQueue extends QueueSides.TailPad {
    /** A queue node: a command that is its own node, or a node wrapping one. Added to a queue at most once. */
    abstract static class Link {
        @SuppressWarnings("unused") // through NEXT
        private volatile Link next;

        /** The command this node carries. */
        abstract NodeLoop.Command command();
    }

    /** A node for a command that is not a {@link Link} itself. */
    private static final class Boxed extends Link {
        private final NodeLoop.Command command;

        Boxed(NodeLoop.Command command) {
            this.command = command;
        }

        @Override
        NodeLoop.Command command() {
            return command;
        }
    }

    /** The node the queue holds while it holds no command, added again each time the last command is taken. */
    private static final class Stub extends Link {
        @Override
        NodeLoop.Command command() {
            throw new IllegalStateException("the stub carries no command");
        }
    }

    private static final VarHandle NEXT;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT = l.findVarHandle(Link.class, "next", Link.class);
            TAIL = l.findVarHandle(QueueSides.Tail.class, "tail", Link.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An empty queue; its consumer's and producers' fields apart ({@link QueueSides}). */
    CommandQueue() {
        super(new Stub());
    }

    /** Any thread: adds {@code c} at the tail. */
    void add(NodeLoop.Command c) {
        push(c instanceof Link l ? l : new Boxed(c));
    }

    private void push(Link n) {
        NEXT.set(n, null); // published by the exchange below (the stub is added again and again)
        Link prev = (Link) TAIL.getAndSet(this, n);
        // Volatile, not just release: the poster reads the loop's parked flag next (NodeLoop.posted), and a release
        // store may pass a later load, so the loop could park on a command it did not see (until its next tick).
        NEXT.setVolatile(prev, n);
    }

    /** Consumer: the oldest command, taken out; null if none is visible. */
    NodeLoop.Command poll() {
        Link h = head;
        Link next = (Link) NEXT.getAcquire(h);
        if (h == stub) {
            if (next == null) return null;
            NEXT.set(h, null); // no producer links after the stub any more: it is not the tail
            head = next;
            h = next;
            next = (Link) NEXT.getAcquire(h);
        }
        if (next != null) return take(h, next);
        if (h != tail) return null; // a producer exchanged the tail and has not linked its node yet
        push(stub); // h is the last node: the stub goes behind it, so that h can be taken
        next = (Link) NEXT.getAcquire(h);
        return next != null ? take(h, next) : null;
    }

    private NodeLoop.Command take(Link h, Link next) {
        head = next;
        // h is linked, so no producer writes its next again; cleared so that a command kept by someone after it ran
        // does not keep the commands queued after it reachable.
        NEXT.set(h, null);
        return h.command();
    }

    /** Consumer: whether no command is visible (one being added may be missed: its producer wakes the loop after). */
    boolean isEmpty() {
        Link h = head;
        return h == stub && NEXT.getAcquire(h) == null;
    }

    /** Any thread, once the consumer polls no more: the oldest command, taken out; null if none is visible. */
    synchronized NodeLoop.Command drain() {
        return poll();
    }
}
