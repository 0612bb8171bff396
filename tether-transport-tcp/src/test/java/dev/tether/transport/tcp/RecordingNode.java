package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.List;

/** A started {@link TcpTransport} with a {@link RecordingListener}, which checks the listener rules. */
final class RecordingNode implements AutoCloseable {
    final NodeId id;
    final TcpTransport transport;
    final RecordingListener listener;

    private RecordingNode(NodeId id, TcpTransport transport) {
        this.id = id;
        this.transport = transport;
        this.listener = new RecordingListener(id.value(), transport.maxFrameBytes());
    }

    static RecordingNode start(String id, TcpTransport transport) {
        RecordingNode node = new RecordingNode(NodeId.of(id), transport);
        transport.start(node.id, node.listener);
        return node;
    }

    List<RecordingListener.Rejection> rejections() {
        return listener.rejections();
    }

    boolean rejected(String reasonPart) {
        return listener.rejected(reasonPart);
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
