package dev.tether.internal.runtime;

/**
 * The fields of a {@link CommandQueue}, laid out so that its consumer's and its producers' each have cache lines of
 * their own: the consumer (the node thread) writes its head at every poll and the producers (the posting threads)
 * exchange the tail at every add, and on one line each write would take the line from the other side, a cache miss
 * per command on both. A superclass's fields come before a subclass's, so the chain below keeps 128 bytes (two lines:
 * the hardware may fetch lines in pairs) of padding between them and after the tail.
 */
final class QueueSides {
    private QueueSides() {}

    /** The consumer's side: the next node to take, and the stub. */
    abstract static class Head {
        /** The node the queue holds while it holds no command, added again each time the last command is taken. */
        final CommandQueue.Link stub;
        /** The next node to take (the stub when the queue holds nothing taken yet): the consumer's. */
        CommandQueue.Link head;

        Head(CommandQueue.Link stub) {
            this.stub = stub;
            this.head = stub;
        }
    }

    /** Padding after the consumer's side; never read. */
    @SuppressWarnings("unused")
    abstract static class HeadPad extends Head {
        private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;

        HeadPad(CommandQueue.Link stub) {
            super(stub);
        }
    }

    /** The producers' side: the last node added, which they exchange. */
    abstract static class Tail extends HeadPad {
        volatile CommandQueue.Link tail;

        Tail(CommandQueue.Link stub) {
            super(stub);
            this.tail = stub;
        }
    }

    /** Padding after the producers' side (whatever the heap puts after this object); never read. */
    @SuppressWarnings("unused")
    abstract static class TailPad extends Tail {
        private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15, q16;

        TailPad(CommandQueue.Link stub) {
            super(stub);
        }
    }
}
