package dev.tether.transport.uds;

import dev.tether.NodeId;
import dev.tether.testkit.TransportContract;
import dev.tether.testkit.net.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Unix domain socket transports in a fresh temporary directory, each directed link (i dials j) through its own
 * {@link TcpProxy} on a socket file of its own, so links can be cut and kept cut. Node j always listens on the same
 * file, so a restarted j is reached by the same proxies.
 */
final class ProxiedUdsCluster implements TransportContract.Fixture {
    /** One seed per test run, printed once: it seeds every fixture's reconnect jitter. */
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());

    static {
        System.out.println("Unix domain socket contract seed " + SEED + " (replay with -Dtether.seed=" + SEED + ")");
    }

    private final Path dir;
    private final Map<String, TcpProxy> proxies = new ConcurrentHashMap<>();
    private final List<NodeId> ids;
    private final Random seeds;
    private final UnaryOperator<UdsTransport.Builder> customize;

    ProxiedUdsCluster(List<NodeId> ids, UnaryOperator<UdsTransport.Builder> customize) {
        this.ids = ids;
        this.seeds = new Random(SEED);
        this.customize = customize;
        try {
            dir = Files.createTempDirectory("uds");
            for (NodeId from : ids) {
                for (NodeId to : ids) {
                    if (!from.equals(to)) {
                        proxies.put(key(from, to), TcpProxy.unix(dir.resolve(key(from, to)), () -> socketOf(to)));
                    }
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /** The socket file node {@code id} listens on. */
    Path socketOf(NodeId id) {
        return dir.resolve(id + ".sock");
    }

    private static String key(NodeId from, NodeId to) {
        return "p-" + from + "-" + to + ".sock";
    }

    private Path proxyPath(NodeId from, NodeId to) {
        return dir.resolve(key(from, to));
    }

    @Override
    public UdsTransport newTransport(NodeId id) {
        UdsTransport.Builder b = UdsTransport.builder()
                .listen(socketOf(id))
                .reconnect(Duration.ofMillis(5), Duration.ofMillis(200))
                .random(new Random(seeds.nextLong()));
        for (NodeId other : ids) {
            if (!other.equals(id)) b.peer(other, proxyPath(id, other));
        }
        return customize.apply(b).build();
    }

    @Override
    public boolean supportsLinkControl() {
        return true;
    }

    @Override
    public void disconnect(NodeId a, NodeId b) {
        for (TcpProxy p : List.of(proxies.get(key(a, b)), proxies.get(key(b, a)))) {
            p.pause();
            p.cutAll();
        }
    }

    @Override
    public void connect(NodeId a, NodeId b) {
        proxies.get(key(a, b)).resume();
        proxies.get(key(b, a)).resume();
    }

    @Override
    public List<String> addressesOf(NodeId to, NodeId from) {
        return List.of("unix:" + proxyPath(from, to));
    }

    @Override
    public String unparsableAddress() {
        return "unix:relative/path.sock";
    }

    @Override
    public void close() {
        proxies.values().forEach(TcpProxy::close);
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
