package dev.tether.internal.runtime;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.TetherEvent.Overflow.What;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The node-thread commands of a send: its submission to the engine, and the tracking of its outcome. */
final class SendCommands {
    private SendCommands() {}

    /**
     * A send for the node thread, and its receipt (the object the caller gets back): one object per send. Refused,
     * like every send after {@code failAll}, once the node stopped. Its headers and payload are let go once the node
     * thread took it (run or refused), so a receipt the application keeps does not keep its message.
     */
    /** What every send of a node shares: its loop, its admission, why a send is refused once it stopped. */
    static final class Shared extends Receipts.Shared {
        final NodeLoop loop;
        final SendAdmission sends;
        final Supplier<NodeClosedException> closed;

        Shared(
                NodeLoop loop,
                SendAdmission sends,
                Supplier<NodeClosedException> closed,
                Consumer<Receipts.Receipt> watch,
                BooleanSupplier onNodeThread) {
            super(watch, onNodeThread);
            this.loop = loop;
            this.sends = sends;
            this.closed = closed;
        }
    }

    static final class Submit extends Receipts.Receipt implements NodeLoop.Command {
        private final long token;
        /** Null once taken. */
        private Map<String, String> headers;
        /** Null once taken. */
        private byte[] payload;

        private final long expiresAt;
        /** Its checksum without the sequence number, computed on the sender's thread (MessageChecksum#withoutSeq). */
        private final long withoutSeq;
        /** Its stream was full under DROP_OLDEST: room is made here, or the send is refused. */
        private final boolean dropOldest;
        /**
         * Counted by its stream as in the input ({@link SendRooms.Room#enterInput}): set by {@link SendInput} before
         * posting, when sends are posted by level.
         */
        boolean counted;

        /**
         * Send {@code token} of {@code bytes} (payload and encoded headers) with room reserved in {@code room}, whose
         * stream it is sent on (so its peer and lane are not kept twice); the node's {@code shared} parts and {@code
         * hook} as {@link Receipts.Receipt}'s.
         */
        Submit(
                Shared shared,
                long token,
                long bytes,
                SendHook hook,
                SendRooms.Room room,
                Map<String, String> headers,
                byte[] payload,
                long expiresAt,
                long withoutSeq,
                boolean dropOldest) {
            // Not taken until it runs: a processed() asked for before that rides with it, no command of its own.
            super(bytes, shared, hook, false);
            this.room = room;
            this.token = token;
            this.headers = headers;
            this.payload = payload;
            this.expiresAt = expiresAt;
            this.withoutSeq = withoutSeq;
            this.dropOldest = dropOldest;
        }

        /** Its own node in the input: no node allocated per send ({@link CommandQueue}). Posted once. */
        @Override
        NodeLoop.Command command() {
            return this;
        }

        private Shared node() {
            return (Shared) shared;
        }

        @Override
        public void run(long now) {
            NodeLoop loop = node().loop;
            Map<String, String> h = headers;
            byte[] p = payload;
            headers = null;
            payload = null;
            if (counted) room.leftInput();
            boolean watch = take();
            if (loop.receipts().register(token, this)) {
                if (watch) loop.receipts().watch(this); // processed() was asked before this ran
                if (dropOldest && !madeRoom(now)) return;
                if (hook != null) hook.submitted(now);
                SendRooms.Room r = room;
                // Its bytes are the payload's and the encoded headers', counted on the caller's thread.
                int headersBytes = bytes - p.length;
                r.resolved(loop.engine()
                        .send(
                                now,
                                token,
                                r.stream,
                                r.key.peer(),
                                r.key.lane(),
                                h,
                                p,
                                expiresAt,
                                headersBytes,
                                withoutSeq));
                node().sends.rooms.entered(r); // counted by the engine from here on, or released if refused
            }
        }

        /**
         * DROP_OLDEST, decided here rather than on the caller's thread, which cannot see the engine's streams: if the
         * stream is still full (the engine's count plus the sends reserved and not in the engine yet, this one among
         * them, above the limit) its oldest message never transmitted is dropped; if there is none, this send is
         * refused as REJECT would (its receipt fails, its room is given back). False if refused.
         */
        private boolean madeRoom(long now) {
            NodeLoop loop = node().loop;
            long notEntered = room.held() - room.accounted;
            if (loop.engine().outbound().unacked(room.key) + notEntered <= room.limit) return true; // freed meanwhile
            if (loop.engine().dropOldest(now, room.key)) {
                room.overflowed(What.DROPPED_OLDEST);
                return true;
            }
            room.overflowed(What.REJECTED);
            room.giveBack();
            loop.rejected(
                    token,
                    new QueueFullException(SendAdmission.full(room, 0) + " (policy DROP_OLDEST: every one of them was"
                            + " transmitted already, so none could be dropped)"));
            return false;
        }

        @Override
        public void refuse() {
            headers = null;
            payload = null;
            if (counted) room.leftInput();
            node().sends.giveBack(room, bytes);
            take(); // a processed() asked for is failed below; one asked for later posts its own watch
            fail(node().closed.get());
        }
    }

    /** Tracks a {@code processed()} future on the node thread; fails it if the node stopped first. */
    static final class Watch implements NodeLoop.Command {
        private final NodeLoop loop;
        private final Receipts.Receipt receipt;
        private final NodeId node;

        Watch(NodeLoop loop, Receipts.Receipt receipt, NodeId node) {
            this.loop = loop;
            this.receipt = receipt;
            this.node = node;
        }

        @Override
        public void run(long now) {
            loop.receipts().watch(receipt);
        }

        @Override
        public void refuse() {
            receipt.fail(ClosedNodeErrors.of(
                    node,
                    loop.fatal(),
                    "node " + node + " shut down before this send's outcome was known",
                    "this send's outcome is not known (if it was stored, it is delivered after the next start)"));
        }
    }
}
