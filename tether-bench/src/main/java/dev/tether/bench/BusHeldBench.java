package dev.tether.bench;

import dev.tether.AckMode;
import dev.tether.NodeId;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.node.Tether;
import dev.tether.transport.memory.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Heap per outstanding bus message, by class: the backlog the bus bench's young collections copy. {@code --agents}
 * endpoints that never acknowledge ({@link AckMode#MANUAL}: each holds its first delivery, the rest waits in the
 * receiving halves, as a backlog does when handlers are slower than senders) receive {@code --messages} messages of
 * {@code --payload} bytes, all-to-all as in {@link BusBench}; once every message is buffered at its receiver (the
 * receiving node's inbound streams count them in flight), the class histogram of live objects ({@code jcmd
 * GC.class_histogram}, which collects first) minus the one taken before the sends, divided by the messages, is what one
 * outstanding message costs. {@code --path local}: endpoints of one node (loopback streams); {@code --path remote}: the
 * senders on node a, the receivers on node b (in-memory transport), both nodes' heap. In-memory store, {@code MEMORY}.
 * Keep the messages per receiver within the window (8,192). Usage: {@code scripts/bench bus-held [--path local|remote]
 * [--agents 100] [--messages 100000] [--payload 100] [--top 12]}.
 */
public final class BusHeldBench {
    private static final NodeId A = NodeId.of("bus-held-a");
    private static final NodeId B = NodeId.of("bus-held-b");

    private BusHeldBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a =
                BusBench.options(List.of("--path", "--agents", "--messages", "--payload", "--top"), args);
        String path = a.getOrDefault("--path", "local");
        int agents = Integer.parseInt(a.getOrDefault("--agents", "100"));
        int messages = Integer.parseInt(a.getOrDefault("--messages", "100000"));
        int payload = Integer.parseInt(a.getOrDefault("--payload", "100"));
        int top = Integer.parseInt(a.getOrDefault("--top", "12"));
        if (!path.equals("local") && !path.equals("remote")) throw new IllegalArgumentException("--path local|remote");
        Held held = measure(path.equals("remote"), agents, messages, payload);
        String title = String.format(
                java.util.Locale.ROOT,
                "bus held: %,d messages of %d B to %d endpoints that never acknowledge, path %s, in-memory store",
                messages,
                payload,
                agents,
                path);
        HeldSendsBench.report(title, "message", held.before(), held.after(), messages, top);
    }

    /** The live heap by class before and after the backlog: instances and bytes per class name. */
    record Held(Map<String, long[]> before, Map<String, long[]> after) {
        /** Live objects per message of the backlog, all classes. */
        double objectsPer(int messages) {
            long n = 0;
            for (long[] v : after.values()) n += v[0];
            for (long[] v : before.values()) n -= v[0];
            return n / (double) messages;
        }
    }

    /** Fills a node ({@code remote}: two) with {@code messages} outstanding ones and takes the histograms. */
    static Held measure(boolean remote, int agents, int messages, int payload) throws Exception {
        InMemoryNetwork net = new InMemoryNetwork();
        TetherNode sender = Tether.start(BusBench.config(net, A, remote ? B : null));
        TetherNode receiver = remote ? Tether.start(BusBench.config(net, B, A)) : sender;
        try {
            EndpointHandler holds = d -> {}; // never acknowledged: the endpoint keeps its first delivery
            EndpointOptions manual = EndpointOptions.defaults().ackMode(AckMode.MANUAL);
            List<Endpoint> from = new ArrayList<>();
            List<Endpoint> to = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                to.add(Tether.bus(receiver).endpoint("agent-" + i, manual, holds));
                from.add(remote ? Tether.bus(sender).endpoint("agent-" + i, manual, holds) : to.get(i));
            }
            // One message per receiver first: its stream's structures and the held delivery are not the backlog.
            send(from, to, agents, payload, 0);
            awaitBuffered(receiver, agents);
            Map<String, long[]> before = HeldSendsBench.histogram();
            send(from, to, messages, payload, agents);
            awaitBuffered(receiver, agents + (long) messages);
            return new Held(before, HeldSendsBench.histogram());
        } finally {
            if (remote) sender.shutdown(Duration.ofSeconds(5));
            receiver.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Sends {@code count} messages all-to-all, the k-th of agent i to agent i + 1 + k / n (as {@link BusBench}). */
    private static void send(List<Endpoint> from, List<Endpoint> to, int count, int payload, int first) {
        int n = from.size();
        for (int j = 0; j < count; j++) {
            int k = first + j;
            int i = k % n;
            Address target = to.get((i + 1 + k / n) % n).address();
            from.get(i).send(target, new byte[payload]);
        }
    }

    /** Waits until {@code node}'s inbound streams count {@code messages} in flight (buffered or held). */
    private static void awaitBuffered(TetherNode node, long messages) throws TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            long inFlight = 0;
            for (StreamStats s : node.stats().streams()) {
                if (s.direction() == StreamStats.Direction.INBOUND) inFlight += s.inFlight();
            }
            if (inFlight == messages) return;
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(inFlight + " of " + messages + " messages buffered after 5 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
