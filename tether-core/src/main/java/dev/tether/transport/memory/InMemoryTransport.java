package dev.tether.transport.memory;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Transport} between nodes of one {@link InMemoryNetwork}, in one process. Create it with {@link
 * InMemoryNetwork#newTransport()}; {@link #start} joins the network as the given node, which connects it to
 * every other started node the network does not separate it from.
 *
 * <p>Threading: {@link #send} copies the frame (the caller may reuse its buffer at once) and queues it to the
 * receiving transport, without locks. Each started transport has one daemon delivery thread that makes all
 * its listener calls, in the order the events were queued; the sender's thread never runs a receiver's
 * listener. Queues are unbounded: the engine's credit window bounds what is in flight. A listener exception
 * is logged (as {@link Level#ERROR} on this class's {@link System.Logger}) and counted in {@link
 * #listenerFailures()}; delivery continues with the next event.
 *
 * <p>Within one connection frames are neither lost, duplicated nor reordered; frames still queued when a
 * connection closes are dropped.
 */
public final class InMemoryTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(InMemoryTransport.class.getName());

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private enum Kind {
        UP,
        DOWN,
        FRAME,
        REJECTED
    }

    /**
     * A listener call to make: {@code link} and {@code frame} are null unless {@code kind} is FRAME; a REJECTED
     * event carries the remote and reason in {@code remote} and {@code reason}, and no peer.
     */
    private record Event(
            Kind kind, NodeId peer, InMemoryNetwork.Link link, ByteBuffer frame, String remote, String reason) {
        Event(Kind kind, NodeId peer, InMemoryNetwork.Link link, ByteBuffer frame) {
            this(kind, peer, link, frame, null, null);
        }
    }

    private final InMemoryNetwork network;
    /** The open link to each connected peer; a link is published here only after its up events are queued. */
    private final Map<NodeId, InMemoryNetwork.Link> links = new ConcurrentHashMap<>();

    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong listenerFailures = new AtomicLong();
    private volatile boolean sleeping;
    private volatile State state = State.NEW;
    private NodeId self;
    private Listener listener;
    private Thread deliveryThread;

    InMemoryTransport(InMemoryNetwork network) {
        this.network = network;
    }

    /**
     * Joins the network as {@code self}.
     *
     * @throws IllegalStateException if this transport was started or closed before, or another started
     *     transport of the network is {@code self} (this transport is then closed)
     */
    @Override
    public synchronized void start(NodeId self, Listener listener) {
        if (state != State.NEW) throw new IllegalStateException("transport was already started or closed");
        this.self = Objects.requireNonNull(self, "self");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.deliveryThread = new Thread(this::deliverLoop, "tether-memory-" + self);
        deliveryThread.setDaemon(true);
        state = State.STARTED;
        try {
            network.join(this);
        } catch (IllegalStateException e) {
            state = State.CLOSED;
            throw e;
        }
        deliveryThread.start();
    }

    /**
     * Copies {@code frame} (its position and limit are left unchanged) and queues it to {@code peer}.
     *
     * @return false if {@code peer} is not connected, true if the frame was queued
     * @throws IllegalArgumentException if the frame is larger than {@link #maxFrameBytes()}: a caller bug,
     *     rejected before anything is allocated
     * @throws IllegalStateException if the transport was not started
     */
    @Override
    public boolean send(NodeId peer, ByteBuffer frame) {
        int size = frame.remaining();
        if (size > network.maxFrameBytes()) {
            throw new IllegalArgumentException(
                    "frame of " + size + " bytes exceeds maxFrameBytes " + network.maxFrameBytes());
        }
        if (state == State.NEW) throw new IllegalStateException("transport is not started");
        InMemoryNetwork.Link link = links.get(peer);
        if (link == null || !link.isOpen()) return false;
        byte[] copy = new byte[size];
        frame.get(frame.position(), copy);
        link.peerOf(this).enqueue(new Event(Kind.FRAME, self, link, ByteBuffer.wrap(copy)));
        return true;
    }

    @Override
    public int maxFrameBytes() {
        return network.maxFrameBytes();
    }

    /**
     * Forgets a refusal between this node and {@code peer} and links them if both admit each other now; the
     * addresses are ignored (the network knows every transport).
     */
    @Override
    public void connect(NodeId peer, java.util.List<String> addresses) {
        if (state == State.STARTED) network.retry(this, peer);
    }

    /**
     * Closes the link to {@code peer} (both sides see it go down); it opens again at once if both sides still
     * admit each other.
     */
    @Override
    public void disconnect(NodeId peer) {
        if (state == State.STARTED) network.drop(this, peer);
    }

    /**
     * Leaves the network (peers see this node go down) and stops the delivery thread, waiting for a listener
     * call in progress to return unless called from that call. Idempotent.
     */
    @Override
    public void close() {
        State previous;
        Thread thread;
        synchronized (this) {
            previous = state;
            state = State.CLOSED;
            thread = deliveryThread;
        }
        if (previous == State.STARTED) network.leave(this);
        if (thread == null || thread == Thread.currentThread()) return;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** How many listener calls have thrown so far. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    NodeId self() {
        return self;
    }

    Collection<InMemoryNetwork.Link> links() {
        return links.values();
    }

    InMemoryNetwork.Link linkTo(NodeId peer) {
        return links.get(peer);
    }

    /** Called by the network, under its lock: asks this side's listener whether {@code peer} may link. */
    String admit(NodeId peer) {
        try {
            return listener.admit(peer, PeerProof.IDENTITY);
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
            LOG.log(Level.ERROR, "listener of " + self + " threw asked to admit " + peer, e);
            return "the node failed to decide whether to admit " + peer + ": " + e;
        }
    }

    /** Called by the network, under its lock: a link with {@code remote} was refused. */
    void queueRejection(String remote, String reason) {
        enqueue(new Event(Kind.REJECTED, null, null, null, remote, reason));
    }

    /** Called by the network, under its lock, before {@link #publishLink}. */
    void queuePeerUp(NodeId peer) {
        enqueue(new Event(Kind.UP, peer, null, null));
    }

    /** Called by the network, under its lock: from now on {@link #send} to {@code peer} uses {@code link}. */
    void publishLink(NodeId peer, InMemoryNetwork.Link link) {
        links.put(peer, link);
    }

    /** Called by the network, under its lock, after {@code link} was closed. */
    void peerDown(NodeId peer, InMemoryNetwork.Link link) {
        links.remove(peer, link);
        enqueue(new Event(Kind.DOWN, peer, null, null));
    }

    private void enqueue(Event e) {
        events.add(e);
        if (sleeping) LockSupport.unpark(deliveryThread);
    }

    private void deliverLoop() {
        while (state != State.CLOSED) {
            Event e = events.poll();
            if (e != null) {
                dispatch(e);
                continue;
            }
            sleeping = true;
            if (events.isEmpty() && state != State.CLOSED) LockSupport.park(this);
            sleeping = false;
        }
        events.clear();
    }

    private void dispatch(Event e) {
        try {
            switch (e.kind()) {
                case UP -> {
                    // Link.open queues the up events before it publishes the link to the senders: wait for it to
                    // finish, so that a frame the listener sends in answer to the up is not dropped as unconnected.
                    network.awaitTopology();
                    listener.onPeerUp(e.peer());
                }
                case DOWN -> listener.onPeerDown(e.peer());
                case FRAME -> {
                    if (e.link().isOpen()) listener.onFrame(e.peer(), e.frame());
                }
                case REJECTED -> listener.onConnectionRejected(e.remote(), e.reason());
            }
        } catch (RuntimeException | Error t) {
            long n = listenerFailures.incrementAndGet();
            LOG.log(
                    Level.ERROR,
                    "listener of " + self + " threw on " + e.kind() + " from " + e.peer() + " (failure " + n
                            + "); delivery continues",
                    t);
        }
    }
}
