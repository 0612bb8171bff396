package dev.tether.transport.nats;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport listener for tests that keeps one ordered log of ups, downs and frame tags (the first byte of each
 * frame) per listener, and checks the transport rules through a {@link RecordingListener} it forwards to.
 */
final class TaggedListener implements Transport.Listener {
    private final RecordingListener rules;
    private final List<String> log = new ArrayList<>();
    private final List<String> rejections = new ArrayList<>();

    TaggedListener(String name, int maxFrameBytes) {
        this.rules = new RecordingListener(name, maxFrameBytes);
    }

    @Override
    public void onPeerUp(NodeId peer) {
        rules.onPeerUp(peer);
        add("up " + peer);
    }

    @Override
    public void onPeerDown(NodeId peer) {
        rules.onPeerDown(peer);
        add("down " + peer);
    }

    @Override
    public void onFrame(NodeId from, ByteBuffer frame) {
        byte tag = frame.get(frame.position());
        synchronized (this) {
            log.add("frame " + from + " " + tag);
        }
        // not forwarded to the recorder: it keeps every frame; check its rules on a copy of the first byte only
        rules.onFrame(from, ByteBuffer.wrap(new byte[] {tag}));
    }

    @Override
    public String admit(NodeId peer, dev.tether.spi.PeerProof proof) {
        return rules.admit(peer, proof);
    }

    @Override
    public synchronized void onConnectionRejected(String remote, String reason) {
        rejections.add(remote + ": " + reason);
    }

    private synchronized void add(String event) {
        log.add(event);
    }

    synchronized List<String> log() {
        return new ArrayList<>(log);
    }

    synchronized List<String> rejections() {
        return new ArrayList<>(rejections);
    }

    boolean isUp(NodeId peer) {
        return rules.isUp(peer);
    }

    long ups(NodeId peer) {
        return log().stream().filter(("up " + peer)::equals).count();
    }

    List<String> violations() {
        return rules.violations();
    }

    void markClosed() {
        rules.markClosed();
    }
}
