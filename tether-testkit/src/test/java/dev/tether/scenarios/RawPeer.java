package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.memory.InMemoryTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A peer on an in-memory network that writes engine frames by hand, as a hostile or broken node could: it introduces
 * itself and opens streams without the engine's checks. Frames reach the node in the order they are sent.
 */
final class RawPeer {
    private final InMemoryTransport transport;
    private final NodeId self;
    private final NodeId to;
    private final long epoch = 4242;

    private RawPeer(InMemoryTransport transport, NodeId self, NodeId to) {
        this.transport = transport;
        this.self = self;
        this.to = to;
    }

    /**
     * Node {@code node} on {@code net} (in-memory store, {@code MEMORY}) with peer {@code peer}, whose handler records
     * the lane of every message it handles in {@code handled}: the node a raw peer talks to.
     */
    static TetherNode startNode(InMemoryNetwork net, NodeId node, NodeId peer, List<String> handled) {
        return Tether.start(TetherConfig.builder(node)
                .peers(List.of(peer))
                .transport(net.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> handled.add(d.lane()))
                .build());
    }

    /** Peer {@code self} on {@code net}, connected to node {@code to} and introduced to it (HELLO sent). */
    static RawPeer connect(InMemoryNetwork net, NodeId self, NodeId to) throws InterruptedException {
        InMemoryTransport t = net.newTransport();
        CountDownLatch up = new CountDownLatch(1);
        t.start(self, new Transport.Listener() {
            @Override
            public void onPeerUp(NodeId peer) {
                if (peer.equals(to)) up.countDown();
            }

            @Override
            public void onPeerDown(NodeId peer) {}

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {}
        });
        assertThat(up.await(10, TimeUnit.SECONDS))
                .as(self + " connected to " + to)
                .isTrue();
        RawPeer p = new RawPeer(t, self, to);
        p.send(64, b -> FrameCodec.hello(b, self, p.epoch, 7, 0));
        return p;
    }

    /** Opens {@code lane} (OPEN with nothing acknowledged and {@code lastSeq}). */
    void open(String lane, long lastSeq) {
        send(64 + lane.length(), b -> FrameCodec.open(b, lane, epoch, 0, lastSeq));
    }

    /** Sends message {@code seq} of {@code lane} with {@code headers} and {@code payload}, checksummed. */
    void data(String lane, long seq, Map<String, String> headers, byte[] payload) {
        int size = 64 + lane.length() + FrameCodec.messageSize(headers, payload.length);
        send(size, b -> {
            int at = FrameCodec.beginData(b, lane, epoch, seq);
            FrameCodec.message(b, 0, 0, headers, payload, MessageChecksum.of(lane, seq, 0, headers, payload));
            FrameCodec.endData(b, at, 1);
        });
    }

    private void send(int size, java.util.function.Consumer<ByteBuffer> w) {
        ByteBuffer b = ByteBuffer.allocate(size);
        w.accept(b);
        assertThat(transport.send(to, b.flip())).as(self + " sent a frame").isTrue();
    }
}
