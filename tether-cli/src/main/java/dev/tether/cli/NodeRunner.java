package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.ShutdownResult;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;

/**
 * Runs one node until the process is asked to stop (SIGTERM, SIGINT), then shuts it down gracefully: new sends
 * are refused, what can be drained in {@code drainTimeout} is, the rest stays in the store for the next start,
 * and the process exits 0. The first line on stdout is {@code ready ...} once the node accepts work (scripts wait
 * for it); it also says which peers (and NATS) are connected yet. With {@code --json} every line on stdout is a JSON
 * object, the ready line too: {@code {"ready":true,"node":...}} ({@link #JSON_READY}).
 *
 * <p>A start that fails leaves nothing behind: the admin and metrics addresses are bound before the store is created,
 * and {@link NodeStart#start} removes a store file this start created when the node then fails to start.
 */
final class NodeRunner {
    private static final Set<Class<?>> WARNINGS = Set.of(
            TetherEvent.StoreFailure.class,
            TetherEvent.ChecksumMismatch.class,
            TetherEvent.UnsendableMessage.class,
            TetherEvent.ProtocolError.class,
            TetherEvent.ConnectionRejected.class,
            TetherEvent.ApplicationError.class,
            TetherEvent.DeadLettered.class,
            TetherEvent.StreamBlocked.class,
            TetherEvent.DeadLettersEvicted.class,
            TetherEvent.DeadLetterQueueFull.class,
            TetherEvent.RuleError.class);

    /** How the ready line starts with {@code --json}: what scripts (and {@code tether demo}) wait for. */
    static final String JSON_READY = "{\"ready\":true,";

    private final NodeOptions options;
    private final PrintWriter out;
    private final PrintWriter err;
    private final DeliveryPrinter printer;
    private final NodeControl.ReadyPeers readyPeers;
    /** {@code --json}: stdout carries JSON lines only. */
    private final boolean json;

    private volatile NodeControl control;
    private EndpointNodeOptions endpoints = new EndpointNodeOptions();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();

    NodeRunner(
            NodeOptions options,
            PrintWriter out,
            PrintWriter err,
            DeliveryPrinter printer,
            NodeControl.ReadyPeers readyPeers,
            boolean json) {
        this.options = options;
        this.json = json;
        this.out = out;
        this.err = err;
        this.printer = printer;
        this.readyPeers = readyPeers;
    }

    /** The node comes up with {@code endpoints}, handled as its other deliveries are. */
    NodeRunner endpoints(EndpointNodeOptions endpoints) {
        this.endpoints = endpoints;
        return this;
    }

    int run(Duration drainTimeout) throws Exception {
        NodeId id = options.nodeId();
        List<NodeId> peers = options.peerIds();
        AdminServer admin = bindAdmin();
        MetricsServer metrics = null;
        try {
            metrics = bindMetrics(id);
            TransportFactory.Choice transport = TransportFactory.create(options);
            SqliteStore store = options.openStore();
            TetherConfig.Builder b =
                    NodeStart.builder(options, transport, store).listener(this::log);
            if (metrics != null) metrics.configure(b);
            if (printer != null) b.handler((Delivery d) -> printer.print(d));
            else b.handler((Delivery d) -> {});
            endpoints.apply(b, printer != null ? printer::print : d -> {});
            TetherConfig config = NodeStart.build(options, b);
            TetherNode node = NodeStart.start(config, store);
            if (config.insecureAdmitUnprovenPeers() && !options.usesNats()) {
                line(
                        "WARN",
                        "--insecure-admit-unproven-peers: peers that are not configured are admitted where nothing"
                                + " proves their id; anyone who reaches " + transport.description()
                                + " can connect under any unused id");
            }
            StopSignals signals = StopSignals.install(() -> stopAndReport(node, drainTimeout));
            if (printer != null) printer.onOutputGone(() -> outputGone(node, signals, drainTimeout));
            NodeControl control = control(node);
            for (String change : control.applyConfiguredPeers()) line("INFO", change);
            if (!SignalHandlers.install("HUP", 1, () -> reload(control, "SIGHUP"))) {
                line(
                        "WARN",
                        "SIGHUP cannot be handled in this process (ignored since it started, as under nohup):"
                                + " reload with POST /reload on the admin endpoint");
            }
            if (admin != null) admin.start(node, config.maxMessageBytes(), control);
            if (metrics != null) metrics.watch(node);
            out.println(
                    json
                            ? jsonReadyLine(node, transport, peers, admin, metrics)
                            : readyLine(node, transport, peers, admin, metrics));
            out.flush();
            if (!signals.viaHook()) {
                signals.await();
                stopAndReport(node, drainTimeout);
            }
            stopped.await();
            return ExitCode.OK;
        } finally {
            if (admin != null) admin.close();
            if (metrics != null) metrics.close();
        }
    }

    private NodeControl control(TetherNode node) {
        CommandLine.ParseResult parsed = options.spec.commandLine().getParseResult();
        NodeControl c = new NodeControl(
                node,
                options.config,
                options.peers,
                parsed.hasMatchedOption("--peer"),
                parsed.hasMatchedOption("--log-level") || parsed.hasMatchedOption("--quiet"),
                readyPeers,
                new NodeControl.ReloadRules(
                        ConfigKeys.of(options.spec), p -> TransportFactory.peerRefusal(options, p)));
        control = c;
        return c;
    }

    /**
     * Reloads on a signal: the outcome is logged and the node runs on. A refused file changes nothing; a failure
     * after some peer changes says which were applied.
     */
    private void reload(NodeControl c, String cause) {
        try {
            line("INFO", cause + ": " + c.reload());
        } catch (NodeControl.PartlyApplied e) {
            line("WARN", cause + ": " + e.getMessage());
        } catch (RuntimeException e) {
            line("WARN", cause + ": reload refused, nothing changed: " + e.getMessage());
        }
    }

    private MetricsServer bindMetrics(NodeId id) throws IOException {
        if (options.metrics == null) return null;
        try {
            return MetricsServer.bind(options.metrics, id);
        } catch (IllegalArgumentException e) {
            throw options.invalid(e.getMessage());
        }
    }

    private AdminServer bindAdmin() throws IOException {
        if (options.admin == null) return null;
        try {
            AdminAuth auth = options.adminTokenFile == null
                    ? AdminAuth.loopbackOnly()
                    : AdminAuth.fromFile(options.adminTokenFile);
            return AdminServer.bind(options.admin, AdminServer.Limits.DEFAULT, auth);
        } catch (IllegalArgumentException e) {
            throw options.invalid(e.getMessage());
        }
    }

    private String readyLine(
            TetherNode node,
            TransportFactory.Choice transport,
            List<NodeId> peers,
            AdminServer admin,
            MetricsServer metrics) {
        StringBuilder s = new StringBuilder("ready node=").append(node.id());
        s.append(" transport=").append(transport.description());
        s.append(" store=").append(options.storePath()).append(" durability=").append(options.durability);
        if (admin != null) s.append(" admin=").append(HostPort.format(admin.address()));
        if (metrics != null) s.append(" metrics=").append(HostPort.format(metrics.address()));
        if (!endpoints.endpoints.isEmpty()) s.append(" endpoints=").append(String.join(",", endpoints.endpoints));
        String link = transport.connectivity();
        if (link != null) s.append(' ').append(link);
        if (peers.isEmpty()) {
            s.append(" peers=none");
        } else {
            List<NodeId> connected = node.stats().connectedPeers();
            List<NodeId> notYet = new ArrayList<>(peers);
            notYet.removeAll(connected);
            s.append(" connected=").append(list(connected)).append(" not-yet=").append(list(notYet));
        }
        if (!options.seeds.isEmpty()) {
            s.append(" seeds=")
                    .append(String.join(
                            ",", options.seeds.stream().map(HostPort::format).toList()));
        }
        return s.toString();
    }

    /** The ready line as one JSON object with the same facts: lists as arrays, {@code nats=x} as {@code "nats":"x"}. */
    private String jsonReadyLine(
            TetherNode node,
            TransportFactory.Choice transport,
            List<NodeId> peers,
            AdminServer admin,
            MetricsServer metrics) {
        Json j = Json.object()
                .put("ready", true)
                .put("node", node.id().value())
                .put("transport", transport.description())
                .put("store", options.storePath().toString())
                .put("durability", String.valueOf(options.durability));
        if (admin != null) j.put("admin", HostPort.format(admin.address()));
        if (metrics != null) j.put("metrics", HostPort.format(metrics.address()));
        if (!endpoints.endpoints.isEmpty()) j.put("endpoints", endpoints.endpoints);
        String link = transport.connectivity();
        if (link != null) {
            int eq = link.indexOf('=');
            j.put(link.substring(0, eq), link.substring(eq + 1));
        }
        List<NodeId> connected = peers.isEmpty() ? List.of() : node.stats().connectedPeers();
        List<NodeId> notYet = new ArrayList<>(peers);
        notYet.removeAll(connected);
        j.put("peers", values(peers)).put("connected", values(connected)).put("notYet", values(notYet));
        if (!options.seeds.isEmpty())
            j.put("seeds", options.seeds.stream().map(HostPort::format).toList());
        return j.toString();
    }

    private static List<String> values(List<NodeId> ids) {
        return ids.stream().map(NodeId::value).toList();
    }

    private static String list(List<NodeId> ids) {
        if (ids.isEmpty()) return "none";
        return String.join(",", ids.stream().map(NodeId::value).toList());
    }

    /**
     * Drains and reports once; a second caller (a shutdown hook after a handled signal) waits for the first. The
     * stop does not wait for stdout or stderr ({@link StopReport}): the lines are written on a thread of their
     * own, the node shuts down meanwhile, and the report gets {@link StopReport#REPORT_MILLIS} after it. A
     * printing handler blocked on a stdout nobody reads holds stdout for ever; its message stays in the store.
     */
    private void stopAndReport(TetherNode node, Duration drainTimeout) {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        StopReport report = new StopReport()
                .then(() -> line(
                        "INFO",
                        "stopping node " + node.id() + ": draining for up to " + drainTimeout.toSeconds()
                                + " s (a second signal stops at once)"));
        ShutdownResult r = node.shutdown(drainTimeout);
        long reported = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(StopReport.REPORT_MILLIS);
        report.then(() -> line(
                "INFO",
                "stopped node " + node.id() + ": "
                        + (r.drained()
                                ? "drained"
                                : r.pendingTotal() + " messages still pending " + r.pending()
                                        + " (kept in the store for the next start)")));
        if (printer != null && !StopReport.flush(StopReport.REPORT_MILLIS / 2, out)) {
            report.then(() -> line(
                    "WARN",
                    "stdout is not read (its pipe is full): the node stopped without printing the rest; deliveries"
                            + " not printed are not acknowledged and stay in the store for the next start"));
        }
        report.await(TimeUnit.NANOSECONDS.toMillis(Math.max(0, reported - System.nanoTime())));
        stopped.countDown();
    }

    /**
     * Stdout failed (its reader went away): the node stops as on SIGTERM, on a thread of its own (this runs on a
     * handler's thread, which the shutdown waits for).
     */
    private void outputGone(TetherNode node, StopSignals signals, Duration drainTimeout) {
        Thread stop = new Thread(() -> stopAndReport(node, drainTimeout), "tether-output-gone");
        stop.setDaemon(true);
        stop.start();
        signals.request();
        // After the stop started: a full stderr pipe would block this line, not the stop.
        line(
                "WARN",
                "stdout is closed (its reader went away): stopping; deliveries not printed are not acknowledged and"
                        + " stay in the store for the next start");
    }

    private void log(TetherEvent e) {
        NodeControl c = control;
        if (c != null) c.onEvent(e);
        // Per-message events would flood the log; connection-level and failure events are what operators need.
        if (e instanceof TetherEvent.Redelivery && !CliLog.enabled(CliLog.LogLevel.DEBUG)) return;
        boolean warning = WARNINGS.contains(e.getClass());
        if (warning || CliLog.enabled(CliLog.LogLevel.INFO))
            print(CliLog.event(warning ? "WARN" : "INFO", source(), e));
    }

    private void line(String level, String message) {
        if (CliLog.enabled(CliLog.LogLevel.valueOf(level))) print(CliLog.line(level, source(), message));
    }

    private String source() {
        return "node " + options.id;
    }

    private void print(String line) {
        String l = line + System.lineSeparator();
        synchronized (err) {
            err.print(l);
            err.flush();
        }
    }
}
