package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.testkit.Await;
import dev.tether.testkit.DiscoveryContract;
import dev.tether.transport.tcp.internal.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The discovery contract for TCP member lists: every member is a transport seeded with one hub's address; the
 * discovery under test belongs to a transport seeded the same way and learns the others from the hub's lists.
 * Invalid input comes from a raw client that completes the handshake and sends a bogus member list.
 */
class TcpDiscoveryContractTest extends DiscoveryContract {
    @Override
    protected Fixture newFixture() {
        return new Hub();
    }

    private static final class Hub implements Fixture {
        private final RecordingNode hub =
                RecordingNode.start("hub", TcpTransport.builder().build());
        private final Map<NodeId, RecordingNode> members = new ConcurrentHashMap<>();
        private final List<RecordingNode> watched = new CopyOnWriteArrayList<>();
        private final List<RawClient> clients = new ArrayList<>();

        private TcpTransport.Builder seeded() {
            return TcpTransport.builder()
                    .reconnect(Duration.ofMillis(10), Duration.ofMillis(200))
                    .seed(hub.transport.boundAddress());
        }

        @Override
        public List<String> addMember(NodeId member) {
            RecordingNode n = RecordingNode.start(member.value(), seeded().build());
            members.put(member, n);
            Await.until(
                    Duration.ofSeconds(10), () -> hub.listener.isUp(member), () -> member + " connected to the hub");
            InetSocketAddress a = n.transport.boundAddress();
            return List.of(a.getAddress().getHostAddress() + ":" + a.getPort());
        }

        @Override
        public Discovery discovery(NodeId self) {
            RecordingNode n = RecordingNode.start(self.value(), seeded().build());
            watched.add(n);
            return n.transport.discovery();
        }

        @Override
        public boolean takesRemoteInput() {
            return true;
        }

        @Override
        public NodeId injectInvalid(NodeId from) {
            for (RecordingNode n : watched) {
                try {
                    RawClient x = new RawClient(n.transport.boundAddress());
                    clients.add(x);
                    x.write(RawClient.dialerHello(from.value() + "-raw", 1 << 20))
                            .completeHandshake();
                    x.write(bogusMembers(from.value() + "-raw", n.id.value()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return NodeId.of("valid-member");
        }

        /**
         * Itself, then an invalid id, a member with nine addresses, one with a host name, the receiver itself (which
         * it must not report), and one valid member.
         */
        private static byte[] bogusMembers(String self, String receiver) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(Wire.CONTROL_MEMBERS);
            entry(body, self, "127.0.0.1:9");
            body.write(0);
            body.write(5);
            entry(body, "not valid!", "127.0.0.1:1");
            entry(
                    body,
                    "nine",
                    "1.1.1.1:1",
                    "1.1.1.1:2",
                    "1.1.1.1:3",
                    "1.1.1.1:4",
                    "1.1.1.1:5",
                    "1.1.1.1:6",
                    "1.1.1.1:7",
                    "1.1.1.1:8",
                    "1.1.1.1:9");
            entry(body, "named", "db.example:7001");
            entry(body, receiver, "127.0.0.1:7998");
            entry(body, "valid-member", "127.0.0.1:7999");
            byte[] b = body.toByteArray();
            return ByteBuffer.allocate(8 + b.length)
                    .putInt(Wire.CONTROL)
                    .putInt(b.length)
                    .put(b)
                    .array();
        }

        private static void entry(ByteArrayOutputStream out, String id, String... addresses) {
            byte[] i = id.getBytes(StandardCharsets.US_ASCII);
            out.write(i.length);
            out.writeBytes(i);
            out.write(addresses.length);
            for (String a : addresses) {
                byte[] x = a.getBytes(StandardCharsets.US_ASCII);
                out.write(x.length);
                out.writeBytes(x);
            }
        }

        @Override
        public void close() {
            for (RawClient c : clients) {
                try {
                    c.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            watched.forEach(RecordingNode::close);
            members.values().forEach(RecordingNode::close);
            hub.close();
        }
    }
}
