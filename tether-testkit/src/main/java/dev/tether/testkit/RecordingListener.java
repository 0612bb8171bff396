package dev.tether.testkit;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Transport.Listener} that records what a transport reports and checks, on every call, the listener
 * rules of {@link Transport}: up and down alternate per peer starting with up (rule 4), frames come only from
 * peers that are up (rule 4), calls for one peer never overlap (rule 5), frames are at most {@code
 * maxFrameBytes} long (rule 8), every up follows an admission of the peer since its previous up (rule 10), and no
 * call comes after {@link #markClosed()}. It admits every peer unless told to {@link #refuse} one. Broken rules are collected in
 * {@link #violations()} rather than thrown, so the transport's threads are not disturbed.
 *
 * <p>Threading: thread-safe; the getters may be polled from any thread while the transport runs.
 */
public final class RecordingListener implements Transport.Listener {
    /**
     * A received frame: the buffer the transport handed over and a copy of its content taken on arrival.
     * Compare content with {@link #bytes()}; record equality compares the arrays by identity.
     */
    public record Frame(NodeId from, ByteBuffer buffer, byte[] bytes) {
        /** Whether the handed-over buffer still holds what it held on arrival (rule 3). */
        public boolean unmodified() {
            return Arrays.equals(bytes, content(buffer));
        }
    }

    private final String name;
    private final int maxFrameBytes;
    private final Set<NodeId> up = ConcurrentHashMap.newKeySet();
    private final Map<NodeId, List<String>> histories = new ConcurrentHashMap<>();
    private final Map<NodeId, AtomicInteger> activeCalls = new ConcurrentHashMap<>();
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    // Not copy-on-write: fuzz tests report hundreds of thousands of rejections.
    private final List<Rejection> rejections = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> frameLimits = new CopyOnWriteArrayList<>();
    private final List<String> peerFrameLimits = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private final Set<Thread> callingThreads = ConcurrentHashMap.newKeySet();
    private final Map<NodeId, String> refusals = new ConcurrentHashMap<>();
    /**
     * Admissions not yet followed by an up, per peer: each up takes one, and an up without one breaks rule 10. A
     * count, not a flag: a transport may admit a new connection before the up of the previous one is delivered.
     */
    private final Map<NodeId, AtomicInteger> admitted = new ConcurrentHashMap<>();

    private final Map<NodeId, PeerProof> proofs = new ConcurrentHashMap<>();
    private final Map<NodeId, AtomicInteger> admissionRequests = new ConcurrentHashMap<>();

    /** A listener called {@code name} in violation messages, accepting frames of up to {@code maxFrameBytes}. */
    public RecordingListener(String name, int maxFrameBytes) {
        this.name = name;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public String admit(NodeId peer, PeerProof proof) {
        if (closed) violation("admission of " + peer + " asked after close");
        admissionRequests.computeIfAbsent(peer, p -> new AtomicInteger()).incrementAndGet();
        proofs.put(peer, proof);
        String refusal = refusals.get(peer);
        if (refusal == null)
            admitted.computeIfAbsent(peer, p -> new AtomicInteger()).incrementAndGet();
        return refusal;
    }

    /** From now on {@link #admit} refuses {@code peer} with {@code reason}. */
    public void refuse(NodeId peer, String reason) {
        refusals.put(peer, reason);
    }

    /** From now on {@link #admit} admits {@code peer} again. */
    public void admitAgain(NodeId peer) {
        refusals.remove(peer);
    }

    /** How many times the transport asked whether to admit {@code peer}. */
    public int admissionRequests(NodeId peer) {
        AtomicInteger n = admissionRequests.get(peer);
        return n == null ? 0 : n.get();
    }

    /** The proof the transport gave when it last asked about {@code peer}, or null. */
    public PeerProof lastProof(NodeId peer) {
        return proofs.get(peer);
    }

    @Override
    public void onPeerUp(NodeId peer) {
        enter(peer, "up");
        try {
            AtomicInteger admissions = admitted.get(peer);
            if (admissions == null || admissions.getAndUpdate(n -> Math.max(0, n - 1)) == 0)
                violation("up of " + peer + " without admitting it first (rule 10)");
            if (!up.add(peer)) violation("up of " + peer + " while it is already up");
        } finally {
            exit(peer);
        }
    }

    @Override
    public void onPeerDown(NodeId peer) {
        enter(peer, "down");
        try {
            if (!up.remove(peer)) violation("down of " + peer + " while it is not up");
        } finally {
            exit(peer);
        }
    }

    @Override
    public void onFrame(NodeId from, ByteBuffer frame) {
        enter(from, "frame");
        try {
            if (!up.contains(from)) violation("frame from " + from + " while it is not up");
            if (frame.remaining() > maxFrameBytes) {
                violation("frame of " + frame.remaining() + " bytes from " + from + " exceeds " + maxFrameBytes);
            }
            frames.add(new Frame(from, frame, content(frame)));
        } finally {
            exit(from);
        }
    }

    /** A connection the transport refused, as reported through {@link #onConnectionRejected}. */
    public record Rejection(String remote, String reason) {}

    @Override
    public void onConnectionRejected(String remote, String reason) {
        if (closed) violation("rejection reported after close: " + reason);
        callingThreads.add(Thread.currentThread());
        rejections.add(new Rejection(remote, reason));
    }

    @Override
    public void onFrameLimit(int bytes) {
        if (closed) violation("frame limit reported after close: " + bytes);
        if (bytes < 1 || bytes > maxFrameBytes) violation("frame limit " + bytes + " outside 1.." + maxFrameBytes);
        callingThreads.add(Thread.currentThread());
        frameLimits.add(bytes);
    }

    @Override
    public void onFrameLimit(NodeId peer, int bytes) {
        if (closed) violation("frame limit of " + peer + " reported after close: " + bytes);
        if (bytes < 1 || bytes > maxFrameBytes) violation("frame limit " + bytes + " outside 1.." + maxFrameBytes);
        callingThreads.add(Thread.currentThread());
        peerFrameLimits.add(peer + "=" + bytes);
    }

    /** Every frame limit of one peer reported through {@link #onFrameLimit(NodeId, int)}, in order: "peer=bytes". */
    public List<String> peerFrameLimits() {
        return List.copyOf(peerFrameLimits);
    }

    /** Every frame limit reported through {@link #onFrameLimit(int)}, in order. */
    public List<Integer> frameLimits() {
        return List.copyOf(frameLimits);
    }

    /** Every rejection reported so far, in order. */
    public List<Rejection> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    /** Whether some reported rejection's reason contains {@code reasonPart}. */
    public boolean rejected(String reasonPart) {
        synchronized (rejections) {
            return rejections.stream().anyMatch(r -> r.reason().contains(reasonPart));
        }
    }

    /** Records that the transport's {@code close} returned: every later call is a violation (rule 1). */
    public void markClosed() {
        closed = true;
    }

    /** Whether {@code peer} is up: its last event was an up. */
    public boolean isUp(NodeId peer) {
        return up.contains(peer);
    }

    /** How many times {@code peer} came up. */
    public long ups(NodeId peer) {
        return history(peer).stream().filter("up"::equals).count();
    }

    /** How many times {@code peer} went down. */
    public long downs(NodeId peer) {
        return history(peer).stream().filter("down"::equals).count();
    }

    /** The calls concerning {@code peer} so far, in order: "up", "down" or "frame" each. */
    public List<String> history(NodeId peer) {
        List<String> h = histories.get(peer);
        if (h == null) return List.of();
        synchronized (h) {
            return new ArrayList<>(h);
        }
    }

    /** The frames received so far, in arrival order. */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The broken rules seen so far, each described in one line. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Every thread that made a listener call so far. */
    public Set<Thread> callingThreads() {
        return Set.copyOf(callingThreads);
    }

    private void enter(NodeId peer, String event) {
        callingThreads.add(Thread.currentThread());
        if (closed) violation(event + " of " + peer + " after close returned");
        if (activeCalls.computeIfAbsent(peer, p -> new AtomicInteger()).incrementAndGet() != 1) {
            violation(event + " of " + peer + " overlaps another call for the same peer");
        }
        List<String> h = histories.computeIfAbsent(peer, p -> new ArrayList<>());
        synchronized (h) {
            h.add(event);
        }
    }

    private void exit(NodeId peer) {
        activeCalls.get(peer).decrementAndGet();
    }

    private void violation(String what) {
        violations.add(name + ": " + what);
    }

    private static byte[] content(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }
}
