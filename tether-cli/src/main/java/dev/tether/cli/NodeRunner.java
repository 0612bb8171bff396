package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.ShutdownResult;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one node until the process is asked to stop (SIGTERM, SIGINT), then shuts it down gracefully: new
 * sends are refused, what can be drained in {@code drainTimeout} is, and the rest stays in the store for the
 * next start. The first line on stdout is {@code ready ...} once the node accepts work; scripts wait for it.
 */
final class NodeRunner {
    private final NodeOptions options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final DeliveryPrinter printer;
    private final boolean logEvents;
    private final CountDownLatch stopped = new CountDownLatch(1);

    NodeRunner(NodeOptions options, PrintWriter out, PrintWriter err, DeliveryPrinter printer, boolean logEvents) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.printer = printer;
        this.logEvents = logEvents;
    }

    int run(Duration drainTimeout) throws Exception {
        options.nodeId();
        options.peerIds();
        TransportFactory.Choice transport = TransportFactory.create(options);
        TetherConfig.Builder b = TetherConfig.builder(options.nodeId())
                .peers(options.peerIds())
                .transport(transport.transport())
                .store(options.openStore())
                .durability(options.durability)
                .listener(this::log);
        if (printer != null) b.handler((Delivery d) -> printer.print(d));
        else b.handler((Delivery d) -> {});
        options.applyLimits(b);
        TetherNode node = Tether.start(b.build());
        AdminServer admin = null;
        try {
            if (options.admin != null) admin = AdminServer.start(options.admin, node);
            Thread hook = new Thread(() -> stopAndReport(node, drainTimeout), "tether-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("ready node=" + node.id() + " transport=" + transport.description() + " store="
                    + options.storePath() + " durability=" + options.durability
                    + (admin != null ? " admin=" + HostPort.format(admin.address()) : ""));
            out.flush();
            stopped.await();
            return 0;
        } finally {
            if (admin != null) admin.close();
        }
    }

    private void stopAndReport(TetherNode node, Duration drainTimeout) {
        ShutdownResult r = node.shutdown(drainTimeout);
        err.println(Instant.now() + " stopped node " + node.id() + ": "
                + (r.drained()
                        ? "drained"
                        : r.pendingTotal() + " messages still pending " + r.pending()
                                + " (kept in the store for the next start)"));
        err.flush();
        stopped.countDown();
    }

    private void log(TetherEvent e) {
        if (!logEvents) return;
        // Per-message events would flood the log; connection-level and failure events are what operators need.
        if (e instanceof TetherEvent.Redelivery) return;
        err.println(Instant.now() + " " + e);
        err.flush();
    }
}
