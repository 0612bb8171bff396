package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A started {@link TcpTransport} with a {@link RecordingListener} (which checks the listener rules) that
 * also records connection rejections.
 */
final class RecordingNode implements Transport.Listener, AutoCloseable {
    /** One reported rejection. */
    record Rejection(String remote, String reason) {}

    final NodeId id;
    final TcpTransport transport;
    final RecordingListener listener;
    final List<Rejection> rejections = new CopyOnWriteArrayList<>();

    private RecordingNode(NodeId id, TcpTransport transport) {
        this.id = id;
        this.transport = transport;
        this.listener = new RecordingListener(id.value(), transport.maxFrameBytes());
    }

    static RecordingNode start(String id, TcpTransport transport) {
        RecordingNode node = new RecordingNode(NodeId.of(id), transport);
        transport.start(node.id, node);
        return node;
    }

    boolean rejected(String reasonPart) {
        return rejections.stream().anyMatch(r -> r.reason().contains(reasonPart));
    }

    @Override
    public void onPeerUp(NodeId peer) {
        listener.onPeerUp(peer);
    }

    @Override
    public void onPeerDown(NodeId peer) {
        listener.onPeerDown(peer);
    }

    @Override
    public void onFrame(NodeId from, ByteBuffer frame) {
        listener.onFrame(from, frame);
    }

    @Override
    public void onConnectionRejected(String remote, String reason) {
        rejections.add(new Rejection(remote, reason));
    }

    /** A listener that ignores everything. */
    static final class Silent implements Transport.Listener {
        @Override
        public void onPeerUp(NodeId peer) {}

        @Override
        public void onPeerDown(NodeId peer) {}

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {}
    }

    @Override
    public void close() {
        transport.close();
        listener.markClosed();
    }
}
