package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.Priority;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * How received frames and a peer's connection events enter the node loop's input ({@link LeveledInput};
 * docs/PROTOCOL.md, "Priority"). Until the first DATA frame whose first message is of a level other than the default
 * ({@link FrameLevel}), each is one plain post at the default level, in the transport's order. From then on (for the
 * node's life):
 *
 * <ul>
 *   <li>a frame that names a lane (OPEN, DATA, RESEND, OUTCOME, CANCEL) joins its peer and lane's <em>box</em>, a
 *       FIFO queue, and is posted at its level as a {@link Queued} ticket. Whichever ticket of a box the loop takes
 *       first runs the box's frames up to and including its own, in arrival order; a ticket whose frame already ran
 *       does nothing. So the frames of one peer and lane are never reordered, and a high-priority frame takes the
 *       frames ahead of it along (an OPEN travels at the level of the DATA behind it): inheritance, as in the
 *       engine's queues;
 *   <li>a HELLO and a peer's connection coming up are fences ({@link NodeLoop#postFence}): nothing received after them
 *       passes them. A peer's connection going down is a fence that first runs every frame of that peer still boxed,
 *       so none of a connection's frames runs after its end;
 *   <li>other frames (ACK, which names several lanes; PING, PONG, anything too short to say) are plain posts. An ACK
 *       is never taken ahead of a frame of its lanes posted before it at the default level, where every non-DATA
 *       frame is: an OUTCOME the peer sent before an ACK still arrives first.
 * </ul>
 *
 * <p>The switch keeps the order of what was posted plainly before it: the switching thread posts a fence first, and a
 * thread that posted plainly and then finds the switch made (a race) posts one after its post, as {@link SendInput}.
 * A box left empty stays until its peer's connection goes down or the peer has more than {@link #PRUNE_FROM} lanes
 * boxed, when the empty ones are dropped: an empty box has nothing left to order.
 *
 * <p>Threading: listener calls concerning one peer one at a time (Transport rule 5), any thread; tickets run on the
 * node thread.
 */
final class FrameInput {
    /** Boxed lanes of one peer beyond which its empty boxes are dropped. */
    static final int PRUNE_FROM = 64;

    private final NodeLoop loop;
    /** Set once a DATA frame of a level other than the default came; never cleared. */
    private volatile boolean leveled;
    /** The boxes of each connected peer, by lane; a peer's are made and dropped by its own listener calls. */
    private final ConcurrentHashMap<NodeId, Inbox> inboxes = new ConcurrentHashMap<>();

    FrameInput(NodeLoop loop) {
        this.loop = loop;
    }

    /** Posts {@code deliver}, which hands {@code frame} from {@code from} to the engine. */
    void frame(NodeId from, ByteBuffer frame, NodeLoop.Command deliver) {
        int level = FrameLevel.of(frame);
        if (!leveled) {
            if (level == Priority.DEFAULT) {
                plain(deliver);
                return;
            }
            leveled = true;
            loop.postFence(null); // behind every frame posted plainly
        }
        String lane = FrameLevel.laneKey(frame);
        if (lane != null) {
            loop.post(inboxes.computeIfAbsent(from, p -> new Inbox()).box(lane, deliver), loop.levelFor(level));
        } else if (FrameLevel.type(frame) == FrameLevel.HELLO) {
            loop.postFence(deliver);
        } else {
            loop.post(deliver);
        }
    }

    /**
     * Posts {@code deliver}, which hands frames of the default level to the engine in their order, as one plain post,
     * and returns true; or posts nothing and returns false once frames are posted by level (the caller then posts each
     * with {@link #frame}).
     */
    boolean framesPlain(NodeLoop.Command deliver) {
        if (leveled) return false;
        plain(deliver);
        return true;
    }

    /** Posts {@code up}, {@code peer}'s connection coming up. */
    void peerUp(NodeId peer, NodeLoop.Command up) {
        if (leveled) loop.postFence(up);
        else plain(up);
    }

    /** Posts {@code down}, {@code peer}'s connection going down, after every frame of that peer still boxed. */
    void peerDown(NodeId peer, NodeLoop.Command down) {
        if (!leveled) {
            plain(down);
            return;
        }
        Inbox boxed = inboxes.remove(peer);
        loop.postFence(
                boxed == null
                        ? down
                        : now -> {
                            try {
                                boxed.runAll(now);
                            } finally {
                                down.run(now);
                            }
                        });
    }

    /** Whether frames are posted by level now. */
    boolean leveled() {
        return leveled;
    }

    private void plain(NodeLoop.Command c) {
        loop.post(c);
        if (leveled) loop.postFence(null); // raced with the switch: keep this peer's later frames behind it
    }

    /** One peer's boxes, by lane key ({@link FrameLevel#laneKey}). */
    private static final class Inbox {
        private final ConcurrentHashMap<String, ConcurrentLinkedQueue<Queued>> boxes = new ConcurrentHashMap<>();
        /** Boxes beyond which the empty ones are dropped; the peer's listener calls only. */
        private int pruneAt = PRUNE_FROM;

        /** Boxes {@code deliver} behind the frames of {@code lane}: its ticket, to post. */
        Queued box(String lane, NodeLoop.Command deliver) {
            ConcurrentLinkedQueue<Queued> box = boxes.get(lane);
            if (box == null) {
                if (boxes.size() >= pruneAt) prune();
                box = new ConcurrentLinkedQueue<>();
                boxes.put(lane, box);
            }
            Queued q = new Queued(box, deliver);
            box.add(q);
            return q;
        }

        /**
         * Drops the empty boxes: the node thread took all their frames, and runs each as it takes it, so frames boxed
         * anew run after them (only this peer's listener calls add to its boxes, one at a time).
         */
        private void prune() {
            boxes.values().removeIf(ConcurrentLinkedQueue::isEmpty);
            pruneAt = Math.max(PRUNE_FROM, 2 * boxes.size());
        }

        /** Node thread: runs every boxed frame not run yet, each lane in its order. */
        void runAll(long now) {
            for (ConcurrentLinkedQueue<Queued> box : boxes.values()) Queued.runUpTo(box, null, now);
        }
    }

    /** A boxed frame and its ticket in the node loop's input. */
    static final class Queued implements NodeLoop.Command {
        private final ConcurrentLinkedQueue<Queued> box;
        private final NodeLoop.Command deliver;
        /** Run already (by an earlier-taken ticket of its box); node thread only. */
        private boolean done;

        Queued(ConcurrentLinkedQueue<Queued> box, NodeLoop.Command deliver) {
            this.box = box;
            this.deliver = deliver;
        }

        @Override
        public void run(long now) {
            if (!done) runUpTo(box, this, now);
        }

        /**
         * Runs {@code box}'s frames in order up to and including {@code last} (null: all); one that throws does not
         * keep the others from running (the first failure is thrown after).
         */
        static void runUpTo(ConcurrentLinkedQueue<Queued> box, Queued last, long now) {
            RuntimeException failed = null;
            for (Queued q = box.poll(); q != null; q = q == last ? null : box.poll()) {
                q.done = true;
                try {
                    q.deliver.run(now);
                } catch (RuntimeException e) {
                    if (failed == null) failed = e;
                    else failed.addSuppressed(e);
                }
            }
            if (failed != null) throw failed;
        }
    }
}
