package dev.tether.transport.tcp;

import dev.tether.NodeId;
import dev.tether.testkit.TransportContract;
import dev.tether.testkit.net.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * TCP transports on loopback whose every directed link (i dials j) runs through its own {@link TcpProxy}, so
 * links can be cut and kept cut. Each proxy forwards to the address of the latest transport started as j.
 */
final class ProxiedCluster implements TransportContract.Fixture {
    private final Map<NodeId, TcpTransport> latest = new ConcurrentHashMap<>();
    private final Map<String, TcpProxy> proxies = new ConcurrentHashMap<>();
    private final List<NodeId> ids;
    private final Random seeds;
    private final UnaryOperator<TcpTransport.Builder> customize;

    ProxiedCluster(long seed, List<NodeId> ids, UnaryOperator<TcpTransport.Builder> customize) {
        this.ids = ids;
        this.seeds = new Random(seed);
        this.customize = customize;
        try {
            for (NodeId from : ids) {
                for (NodeId to : ids) {
                    if (!from.equals(to)) proxies.put(key(from, to), TcpProxy.start(() -> addressOf(to)));
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    private InetSocketAddress addressOf(NodeId id) {
        TcpTransport t = latest.get(id);
        if (t == null) return null;
        try {
            return t.boundAddress();
        } catch (IllegalStateException notStarted) {
            return null;
        }
    }

    private static String key(NodeId from, NodeId to) {
        return from + ">" + to;
    }

    /** The transport most recently created for {@code id}. */
    TcpTransport transport(NodeId id) {
        return latest.get(id);
    }

    TcpProxy proxy(NodeId from, NodeId to) {
        return proxies.get(key(from, to));
    }

    @Override
    public TcpTransport newTransport(NodeId id) {
        TcpTransport.Builder b = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .reconnect(Duration.ofMillis(5), Duration.ofMillis(200))
                .random(new Random(seeds.nextLong()));
        for (NodeId other : ids) {
            if (!other.equals(id)) b.peer(other, proxy(id, other).address());
        }
        TcpTransport t = customize.apply(b).build();
        latest.put(id, t);
        return t;
    }

    @Override
    public boolean supportsLinkControl() {
        return true;
    }

    @Override
    public void disconnect(NodeId a, NodeId b) {
        for (TcpProxy p : List.of(proxy(a, b), proxy(b, a))) {
            p.pause();
            p.cutAll();
        }
    }

    @Override
    public void connect(NodeId a, NodeId b) {
        proxy(a, b).resume();
        proxy(b, a).resume();
    }

    @Override
    public List<String> addressesOf(NodeId to, NodeId from) {
        InetSocketAddress a = proxy(from, to).address();
        return List.of(a.getAddress().getHostAddress() + ":" + a.getPort());
    }

    @Override
    public String unparsableAddress() {
        return "localhost:not-a-port";
    }

    @Override
    public void close() {
        proxies.values().forEach(TcpProxy::close);
    }
}
