package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import picocli.CommandLine.TypeConversionException;

/**
 * What an operator changes or asks of a running {@code tether node} without restarting it. {@link #reload}
 * re-reads the {@code --config} file and applies its peers ({@code peer}) and log level ({@code log-level}),
 * unless the command line fixed them (flags win, as at start); SIGHUP and {@code POST /reload} call it. {@link
 * #notReady} says why the node is not ready ({@code GET /health/ready}): it is ready once started (its store open,
 * its transport started) while its store is not failing, and, per {@code --ready-peers}, with any or all of its
 * configured peers connected.
 *
 * <p>Thread-safe: reloads are serialized; a reload whose file is unreadable or invalid changes nothing.
 */
final class NodeControl {
    /** Which configured peers must be connected for the node to be ready. */
    enum ReadyPeers {
        NONE,
        ANY,
        ALL
    }

    /**
     * What a reloaded file must satisfy besides its values parsing, checked before anything changes.
     *
     * @param keys the keys it may hold (null: any)
     * @param peerRefusal why a peer cannot be one of this node's (the transport does not take its address), or null
     */
    record ReloadRules(ConfigKeys keys, Function<PeerSpec, String> peerRefusal) {
        static final ReloadRules NONE = new ReloadRules(null, p -> null);
    }

    /**
     * A reload that failed after it had changed something: its message says what was applied and what failed. The
     * peers this daemon follows are then the ones actually applied, so that reloading the same or the previous file
     * again applies what is still missing.
     */
    static final class PartlyApplied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PartlyApplied(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A store failure this recent makes the node not ready (the node retries a failing store every 100 ms). */
    private static final long STORE_FAILURE_NANOS = 5_000_000_000L;

    private final TetherNode node;
    private final Path configFile;
    private final boolean peersFixed;
    private final boolean levelFixed;
    private final ReadyPeers readyPeers;
    private final ReloadRules rules;
    private Map<NodeId, List<String>> peers;
    /** The {@code --config} file's keys and values at the start, to tell a reload what it cannot change. */
    private final Properties started;

    private volatile long lastStoreFailure;
    /** The clock of {@link #STORE_FAILURE_NANOS}; a test's own in tests. */
    LongSupplier nanoTime = System::nanoTime;

    private volatile String storeFailure;

    /**
     * @param configFile the {@code --config} file, or null (nothing to reload)
     * @param peers the peers the node started with, and their TCP or {@code unix:} addresses (none for NATS peers)
     * @param peersFixed {@code --peer} was given on the command line: a reload keeps those
     * @param levelFixed {@code --log-level} (or {@code --quiet}) was given on the command line
     */
    NodeControl(
            TetherNode node,
            Path configFile,
            List<PeerSpec> peers,
            boolean peersFixed,
            boolean levelFixed,
            ReadyPeers readyPeers) {
        this(node, configFile, peers, peersFixed, levelFixed, readyPeers, ReloadRules.NONE);
    }

    /** As above; a reloaded file must follow {@code rules}. */
    NodeControl(
            TetherNode node,
            Path configFile,
            List<PeerSpec> peers,
            boolean peersFixed,
            boolean levelFixed,
            ReadyPeers readyPeers,
            ReloadRules rules) {
        this.rules = Objects.requireNonNull(rules);
        this.node = node;
        this.configFile = configFile;
        this.peers = addresses(peers);
        this.peersFixed = peersFixed;
        this.levelFixed = levelFixed;
        this.readyPeers = Objects.requireNonNull(readyPeers);
        this.started = startedWith(configFile);
    }

    /** The file as the node started with it (read again: the start read it just before); empty if unreadable. */
    private static Properties startedWith(Path configFile) {
        try {
            return configFile == null ? new Properties() : read(configFile);
        } catch (IllegalArgumentException e) {
            return new Properties();
        }
    }

    /** Takes note of the node's events that readiness depends on (any thread). */
    void onEvent(TetherEvent e) {
        if (e instanceof TetherEvent.StoreFailure f) {
            storeFailure = f.reason();
            lastStoreFailure = nanoTime.getAsLong();
        }
    }

    /** Why the node is not ready, empty if it is. @throws dev.tether.NodeClosedException once it shuts down */
    List<String> notReady() {
        List<NodeId> connected = node.stats().connectedPeers();
        List<String> why = new ArrayList<>();
        String failure = storeFailure;
        if (failure != null && nanoTime.getAsLong() - lastStoreFailure < STORE_FAILURE_NANOS) {
            why.add("the store is failing: " + failure);
        }
        Set<NodeId> wanted;
        synchronized (this) {
            wanted = new HashSet<>(peers.keySet());
        }
        Set<NodeId> missing = new HashSet<>(wanted);
        missing.removeAll(connected);
        if (readyPeers == ReadyPeers.ALL && !missing.isEmpty()) {
            why.add("peers not connected (--ready-peers all): " + sorted(missing));
        } else if (readyPeers == ReadyPeers.ANY && !wanted.isEmpty() && missing.size() == wanted.size()) {
            why.add("none of the peers connected (--ready-peers any): " + sorted(missing));
        }
        return why;
    }

    /**
     * Re-reads the configuration file and applies what changed; returns a one-line summary. Everything is checked
     * before anything changes: the keys, the values, and each new peer against the node's transports.
     *
     * @throws IllegalStateException if the node was started without {@code --config}
     * @throws IllegalArgumentException if the file cannot be read, holds an unknown key ({@link ConfigKeys}) or an
     *     invalid value, or a peer the transports cannot take (nothing changed)
     * @throws PartlyApplied if the node failed to take a peer change after others were made
     */
    synchronized String reload() {
        if (configFile == null) {
            throw new IllegalStateException("nothing to reload: the node was started without --config");
        }
        Properties p = read(configFile);
        if (rules.keys() != null) rules.keys().check(p, configFile);
        CliLog.LogLevel level = levelFixed ? null : CliLog.LogLevel.parse(p.getProperty("log-level", "info"));
        Map<NodeId, List<String>> next = peers;
        if (!peersFixed) {
            List<PeerSpec> specs = parsePeers(p.getProperty("peer", ""));
            for (PeerSpec s : specs) {
                String why = rules.peerRefusal().apply(s);
                if (why != null) throw new IllegalArgumentException("peer: " + why);
            }
            next = addresses(specs);
        }
        if (next.containsKey(node.id())) {
            throw new IllegalArgumentException("peer: " + node.id() + " is this node's own id");
        }
        List<String> changes = new ArrayList<>();
        if (level != null && level != CliLog.level()) {
            changes.add("log level " + CliLog.level().name().toLowerCase() + " -> "
                    + level.name().toLowerCase());
            CliLog.configure(level, CliLog.format());
        }
        applyPeers(next, changes);
        String fixed =
                (peersFixed ? " (peers fixed by --peer)" : "") + (levelFixed ? " (log level fixed by flag)" : "");
        List<String> restart = ConfigFiles.needRestart(started, p, "tether.node.");
        return "reloaded " + configFile + ": " + (changes.isEmpty() ? "no change" : String.join("; ", changes)) + fixed
                + (restart.isEmpty()
                        ? ""
                        : "; not applied, changed since the start and taken only at a restart: "
                                + String.join(", ", restart));
    }

    /**
     * Makes the configured peers the node's peers again after a start. The node stores runtime additions and
     * removals ({@code TetherNode.addPeer/removePeer}, so that they outlast a restart), but this daemon makes them
     * only to follow its configuration, which stays the authority: a configured peer that a stored removal keeps out
     * is added again, and a peer a stored addition brought back that the configuration no longer lists is removed.
     * Returns what it changed, empty if nothing.
     */
    synchronized List<String> applyConfiguredPeers() {
        List<String> changes = new ArrayList<>();
        List<NodeId> readded = new ArrayList<>();
        List<NodeId> dropped = new ArrayList<>();
        Set<NodeId> known = new HashSet<>();
        for (PeerInfo p : node.peers()) {
            known.add(p.id());
            if (p.origin() == PeerInfo.Origin.ADDED && !peers.containsKey(p.id())) dropped.add(p.id());
        }
        for (Map.Entry<NodeId, List<String>> e : peers.entrySet()) {
            if (!known.contains(e.getKey())) readded.add(e.getKey());
        }
        for (NodeId id : dropped) node.removePeer(id);
        for (NodeId id : readded) node.addPeer(id, peers.get(id));
        if (!readded.isEmpty())
            changes.add("configured peers removed in an earlier run added again " + sorted(readded));
        if (!dropped.isEmpty())
            changes.add("peers added in an earlier run and no longer configured removed " + sorted(dropped));
        return changes;
    }

    /**
     * Makes {@code next} the node's peers, noting each change in {@code changes}. {@link #peers} follows each step,
     * so that after a failure it is what was applied.
     *
     * @throws PartlyApplied if the node refused a step (after the steps before it)
     */
    private void applyPeers(Map<NodeId, List<String>> next, List<String> changes) {
        List<NodeId> removed = new ArrayList<>();
        List<NodeId> added = new ArrayList<>();
        List<NodeId> moved = new ArrayList<>();
        for (NodeId id : peers.keySet()) if (!next.containsKey(id)) removed.add(id);
        for (Map.Entry<NodeId, List<String>> e : next.entrySet()) {
            List<String> before = peers.get(e.getKey());
            if (before == null) added.add(e.getKey());
            else if (!before.equals(e.getValue())) moved.add(e.getKey());
        }
        Map<NodeId, List<String>> applied = new LinkedHashMap<>(peers);
        peers = applied;
        PeerSteps steps = new PeerSteps(changes);
        try {
            for (NodeId id : removed) steps.remove(id, "removing", "peers removed");
            // An address is replaced, not added to: a moved peer is removed and added afresh.
            for (NodeId id : moved) steps.remove(id, "moving", null);
            for (NodeId id : added) steps.add(id, next.get(id), "adding", "peers added");
            for (NodeId id : moved) steps.add(id, next.get(id), "moving", "peers with new addresses");
        } finally {
            steps.note();
        }
    }

    /** The steps of one {@link #applyPeers}: each applied to the node and to {@link #peers}, and noted. */
    private final class PeerSteps {
        private static final List<String> NOTES = List.of("peers added", "peers removed", "peers with new addresses");
        private final List<String> changes;
        private final Map<String, List<NodeId>> done = new java.util.HashMap<>();

        PeerSteps(List<String> changes) {
            this.changes = changes;
        }

        void remove(NodeId id, String what, String note) {
            run(() -> node.removePeer(id), what + " peer " + id);
            peers.remove(id);
            if (note != null) done.computeIfAbsent(note, k -> new ArrayList<>()).add(id);
        }

        void add(NodeId id, List<String> addresses, String what, String note) {
            run(() -> node.addPeer(id, addresses), what + " peer " + id);
            peers.put(id, addresses);
            done.computeIfAbsent(note, k -> new ArrayList<>()).add(id);
        }

        private void run(Runnable step, String what) {
            try {
                step.run();
            } catch (RuntimeException e) {
                note();
                String applied = changes.isEmpty() ? "nothing" : String.join("; ", changes);
                throw new PartlyApplied(
                        "reload of " + configFile + " failed part-way: " + what + " failed: " + e.getMessage()
                                + "; applied before: " + applied + "; the node's configured peers are now "
                                + sorted(peers.keySet()) + " (reload again to retry)",
                        e);
            }
        }

        /** Notes the steps done so far in {@code changes}, once. */
        void note() {
            for (String note : NOTES) {
                List<NodeId> ids = done.remove(note);
                if (ids != null) changes.add(note + " " + sorted(ids));
            }
        }
    }

    private static List<PeerSpec> parsePeers(String value) {
        List<PeerSpec> specs = new ArrayList<>();
        PeerSpec.Converter c = new PeerSpec.Converter();
        for (String v : value.split(",")) {
            if (v.isBlank()) continue;
            try {
                specs.add(c.convert(v.trim()));
            } catch (TypeConversionException | IllegalArgumentException e) {
                throw new IllegalArgumentException("peer: " + e.getMessage(), e);
            }
        }
        return specs;
    }

    private static Map<NodeId, List<String>> addresses(List<PeerSpec> specs) {
        Map<NodeId, List<String>> m = new LinkedHashMap<>();
        for (PeerSpec s : specs) {
            List<String> a = m.computeIfAbsent(s.id(), k -> new ArrayList<>());
            InetSocketAddress address = s.address();
            if (address != null) a.add(HostPort.format(address));
            if (s.socket() != null) a.add("unix:" + s.socket()); // a Unix domain socket peer, as UdsTransport reads it
        }
        return m;
    }

    private static Properties read(Path file) {
        return ConfigFiles.read(file);
    }

    private static String sorted(java.util.Collection<NodeId> ids) {
        return ids.stream().map(NodeId::value).sorted().toList().toString();
    }
}
