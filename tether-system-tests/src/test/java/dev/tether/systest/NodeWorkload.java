package dev.tether.systest;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.Pacer;
import dev.tether.testkit.process.HistoryLog;
import dev.tether.testkit.process.HistoryRecorder;
import dev.tether.testkit.process.Periodic;
import dev.tether.transport.nats.NatsTransport;
import dev.tether.transport.tcp.TcpTransport;
import dev.tether.transport.uds.UdsTransport;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * One node in its own JVM, the process the system tests start, kill with SIGKILL and restart: it runs node
 * {@code node} on the SQLite file {@code dir/<node>.db} (durability {@code FSYNC} unless told otherwise) over TCP
 * or NATS, sends numbered messages to each peer on lane {@code l1}, and records every step in the history log
 * {@code dir/history-<node>-<run>.log} (a new file per run).
 *
 * <p>Arguments, each {@code key=value}: {@code dir}, {@code node}, {@code index} (0-9, makes message ids unique
 * per node), {@code run} (0, 1, ... per node), {@code peers} (comma-separated ids), {@code quota} (messages per
 * peer in this run; {@code -1}: until told to finish), {@code rate} (messages per second per peer; 0: as fast as
 * the window allows), {@code durability}; and either {@code listen=PORT} with {@code dial=ID@HOST:PORT,...} for
 * TCP, {@code uds=PATH} with {@code dial=ID@PATH,...} for Unix domain sockets, or {@code nats=URL,...} for NATS.
 * With {@code channel=NAME} and {@code role=READ|WRITE|READ_WRITE} it joins that channel at every start (a join again
 * keeps a reader's place) and, if the role writes, publishes numbered messages there instead of sending to each peer
 * (at {@code rate} per second; peer index 9 in the message id). With {@code agents=N} it registers N durable
 * endpoints {@code ag0..} at every start and sends between endpoints instead: the i-th message to a peer goes from its
 * endpoint {@code ag(i % N)} to the peer's {@code ag((i / N) % N)} (waiting first until the peer advertised that
 * endpoint), on one thread per peer, so each endpoint pair's messages are in the order sent; each endpoint records
 * what it is handed, and an anomaly if it was not the message's addressee or came from another endpoint.
 *
 * <p>Output on stdout: {@code ready} once the node started, {@code progress accepted=N delivered=M} (this run's
 * counts) whenever they change (at most every 25 ms) and at least every second, {@code sent all} once the quota is
 * accepted. Control by files in {@code dir}: once {@code finish-<node>} exists it stops sending, waits until every
 * outbound stream is fully acknowledged, records the streams' final state and prints {@code drained}; once {@code
 * exit-<node>} exists after that it shuts the node down and exits 0. It exits 2 if it does not drain within
 * three minutes. Message id of the i-th message of a run to the p-th peer: {@code ((index * 10000 + run) * 10 +
 * p) * 10^7 + i}.
 */
public final class NodeWorkload {
    static final int PAYLOAD = 64;
    static final String LANE = "l1";
    private static final int OUTSTANDING = 128;
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(3);
    /**
     * How long to wait for the test's finish or exit file: longer than any run (soaks included), so the test, which
     * kills its nodes when it gives up, decides; this only keeps an orphaned process from waiting for ever.
     */
    private static final Duration SIGNAL_LIMIT = Duration.ofHours(6);

    private final Map<String, String> args;
    private final Path dir;
    private final String name;
    private final int index;
    private final int run;
    private final HistoryLog log;
    private final HistoryRecorder recorder;
    private volatile boolean stopSending;
    private long lastAccepted = -1, lastDelivered = -1, lastProgressNanos; // progress thread only

    private NodeWorkload(Map<String, String> args) {
        this.args = args;
        this.dir = Path.of(required("dir"));
        this.name = required("node");
        this.index = Integer.parseInt(required("index"));
        this.run = Integer.parseInt(required("run"));
        this.log = HistoryLog.create(dir.resolve("history-" + name + "-" + run + ".log"));
        this.recorder = new HistoryRecorder(log, name, PAYLOAD);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("argument is not key=value: " + a);
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.exit(new NodeWorkload(args).run());
    }

    private int run() {
        List<NodeId> peers = ids(required("peers"));
        TetherNode node = start(peers);
        System.out.println("ready");
        Periodic.every(Duration.ofMillis(25), "progress", this::printProgress);
        int quota = Integer.parseInt(args.getOrDefault("quota", "0"));
        int rate = Integer.parseInt(args.getOrDefault("rate", "0"));
        List<Thread> senders = new ArrayList<>();
        String channel = args.get("channel");
        if (channel != null) {
            ChannelRole role = ChannelRole.valueOf(required("role"));
            node.join(channel, role); // completes when the peers took it; their reader rows are what counts
            if (role.writes()) senders.add(publisher(node, channel, quota, rate));
        } else if (args.containsKey("agents")) {
            int n = Integer.parseInt(args.get("agents"));
            List<Endpoint> own = endpoints(node, n);
            for (int p = 0; p < peers.size(); p++) senders.add(agentSender(node, own, peers.get(p), p, quota, rate));
        } else {
            for (int p = 0; p < peers.size(); p++) senders.add(sender(node, peers.get(p), p, quota, rate));
        }
        awaitFile("finish-" + name);
        stopSending = true;
        for (Thread t : senders) joinQuietly(t);
        if (!HistoryRecorder.awaitDrained(DRAIN_LIMIT, node)) {
            System.out.println("stuck " + node.stats());
            return 2;
        }
        recorder.recordFinalStreams(node);
        System.out.println("drained accepted=" + recorder.accepted() + " delivered=" + recorder.delivered());
        awaitFile("exit-" + name);
        node.shutdown(Duration.ofSeconds(5));
        log.close();
        System.out.println("exited");
        return 0;
    }

    private TetherNode start(List<NodeId> peers) {
        Transport transport = transport();
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of(name))
                .peers(peers)
                .transport(transport)
                // The default limit (1 MiB) does not fit the NATS transport's default frame (1 MiB minus its
                // envelope); like the CLI, cap it to what the transport carries.
                .maxMessageBytes(Math.min(1 << 20, transport.maxFrameBytes() - TetherConfig.FRAME_OVERHEAD))
                .durability(Durability.valueOf(args.getOrDefault("durability", "FSYNC")))
                .window(256);
        return Tether.start(
                recorder.record(b, new SqliteStore(dir.resolve(name + ".db"))).build());
    }

    private Transport transport() {
        String nats = args.get("nats");
        if (nats != null) {
            return NatsTransport.builder().servers(List.of(nats.split(","))).build();
        }
        String dial = args.getOrDefault("dial", "");
        String uds = args.get("uds");
        if (uds != null) {
            UdsTransport.Builder b = UdsTransport.builder().listen(Path.of(uds));
            for (String spec : dial.isEmpty() ? new String[0] : dial.split(",")) {
                String[] idAndPath = spec.split("@");
                b.peer(NodeId.of(idAndPath[0]), Path.of(idAndPath[1]));
            }
            return b.build();
        }
        TcpTransport.Builder b =
                TcpTransport.builder().listen(new InetSocketAddress("127.0.0.1", Integer.parseInt(required("listen"))));
        for (String spec : dial.isEmpty() ? new String[0] : dial.split(",")) {
            String[] idAndAddress = spec.split("@");
            String[] hostPort = idAndAddress[1].split(":");
            b.peer(
                    NodeId.of(idAndAddress[0]),
                    InetSocketAddress.createUnresolved(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        return b.build();
    }

    /** Sends {@code quota} messages (or until told to finish) to {@code to}, paced to {@code rate} per second. */
    private Thread sender(TetherNode node, NodeId to, int peerIndex, int quota, int rate) {
        return paced(
                "sender-" + name + "-" + to,
                peerIndex,
                quota,
                rate,
                msgId -> recorder.send(node, to, LANE, msgId),
                "sent all to " + to);
    }

    /**
     * Registers durable endpoints {@code ag0..ag(n-1)}: each records what it is handed, and an anomaly for a message
     * whose id says it was sent to another endpoint or from another one.
     */
    private List<Endpoint> endpoints(TetherNode node, int n) {
        Bus bus = Tether.bus(node);
        List<Endpoint> own = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            String agent = "ag" + a;
            own.add(bus.endpoint(agent, EndpointOptions.defaults().durable(), d -> {
                recorder.delivered(d);
                long i = HistoryLog.msgIdOf(d.payloadBytes()) % 10_000_000L;
                String from = "ag" + (i % n), to = "ag" + ((i / n) % n);
                if (!d.to().agent().equals(agent)
                        || !agent.equals(to)
                        || !from.equals(d.fromAddress().agent())) {
                    recorder.anomaly("endpoint " + agent + " was handed message " + i + " of " + d.fromAddress()
                            + " on " + d.lane() + ", sent from " + from + " to " + to);
                }
            }));
        }
        return own;
    }

    /**
     * Sends {@code quota} messages (or until told to finish) from this node's endpoints {@code own} to the endpoints of
     * the same names at {@code to}: the i-th from {@code own[i % n]} to {@code ag((i / n) % n)}.
     */
    private Thread agentSender(TetherNode node, List<Endpoint> own, NodeId to, int peerIndex, int quota, int rate) {
        int n = own.size();
        Bus bus = Tether.bus(node);
        return paced(
                "agents-" + name + "-" + to,
                peerIndex,
                quota,
                rate,
                msgId -> {
                    long i = msgId % 10_000_000L;
                    Address target = Address.of(to, "ag" + ((i / n) % n));
                    if (i <= (long) n * n)
                        bus.awaitEndpoint(target, SIGNAL_LIMIT).join(); // its first run
                    return recorder.send(own.get((int) (i % n)), target, msgId);
                },
                "sent all to " + to);
    }

    /** Publishes {@code quota} messages (or until told to finish) on {@code channel}, paced to {@code rate}. */
    private Thread publisher(TetherNode node, String channel, int quota, int rate) {
        return paced(
                "publisher-" + name + "-" + channel,
                9,
                quota,
                rate,
                msgId -> recorder.publish(node, channel, msgId),
                "published all on " + channel);
    }

    /**
     * A thread that hands {@code quota} numbered messages (or until told to finish) to {@code sendOne}, paced to
     * {@code rate} per second, at most {@link #OUTSTANDING} not yet accepted; prints {@code done} if it sent them all.
     */
    private Thread paced(
            String threadName,
            int peerIndex,
            int quota,
            int rate,
            LongFunction<CompletableFuture<MessageId>> sendOne,
            String done) {
        Thread t = new Thread(
                () -> {
                    ArrayDeque<CompletableFuture<MessageId>> outstanding = new ArrayDeque<>();
                    Pacer pacer = Pacer.perSecond(rate);
                    for (int i = 1; (quota < 0 || i <= quota) && !stopSending; i++) {
                        long msgId = ((index * 10_000L + run) * 10 + peerIndex) * 10_000_000L + i;
                        while (outstanding.size() >= OUTSTANDING) HistoryRecorder.awaitQuietly(outstanding.poll());
                        pacer.awaitNext();
                        outstanding.add(sendOne.apply(msgId));
                    }
                    while (!outstanding.isEmpty()) HistoryRecorder.awaitQuietly(outstanding.poll());
                    if (!stopSending) System.out.println(done);
                },
                threadName);
        t.start();
        return t;
    }

    private void awaitFile(String file) {
        Path p = dir.resolve(file);
        Await.until(SIGNAL_LIMIT, () -> Files.exists(p), () -> "the file " + p + " from the test");
    }

    /** Prints a progress line when a count changed, or after a second without one; run every 25 ms. */
    private void printProgress() {
        long a = recorder.accepted(), d = recorder.delivered(), now = System.nanoTime();
        if (a != lastAccepted || d != lastDelivered || now - lastProgressNanos > 1_000_000_000L) {
            System.out.println("progress accepted=" + a + " delivered=" + d);
            lastAccepted = a;
            lastDelivered = d;
            lastProgressNanos = now;
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<NodeId> ids(String csv) {
        List<NodeId> ids = new ArrayList<>();
        for (String s : csv.split(",")) ids.add(NodeId.of(s));
        return ids;
    }

    private String required(String key) {
        String v = args.get(key);
        if (v == null) throw new IllegalArgumentException("missing argument " + key + "=...");
        return v;
    }
}
