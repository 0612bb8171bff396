package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
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

    /** A store failure this recent makes the node not ready (the node retries a failing store every 100 ms). */
    private static final long STORE_FAILURE_NANOS = 5_000_000_000L;

    private final TetherNode node;
    private final Path configFile;
    private final boolean peersFixed;
    private final boolean levelFixed;
    private final ReadyPeers readyPeers;
    private final ConfigKeys keys;
    private Map<NodeId, List<String>> peers;
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
        this(node, configFile, peers, peersFixed, levelFixed, readyPeers, null);
    }

    /** As above; a reloaded file may hold only {@code keys} (null: any key). */
    NodeControl(
            TetherNode node,
            Path configFile,
            List<PeerSpec> peers,
            boolean peersFixed,
            boolean levelFixed,
            ReadyPeers readyPeers,
            ConfigKeys keys) {
        this.keys = keys;
        this.node = node;
        this.configFile = configFile;
        this.peers = addresses(peers);
        this.peersFixed = peersFixed;
        this.levelFixed = levelFixed;
        this.readyPeers = Objects.requireNonNull(readyPeers);
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
     * Re-reads the configuration file and applies what changed; returns a one-line summary.
     *
     * @throws IllegalStateException if the node was started without {@code --config}
     * @throws IllegalArgumentException if the file cannot be read, holds an unknown key ({@link ConfigKeys}) or an
     *     invalid value (nothing changed)
     */
    synchronized String reload() {
        if (configFile == null) {
            throw new IllegalStateException("nothing to reload: the node was started without --config");
        }
        Properties p = read(configFile);
        if (keys != null) keys.check(p, configFile);
        CliLog.LogLevel level = levelFixed ? null : CliLog.LogLevel.parse(p.getProperty("log-level", "info"));
        Map<NodeId, List<String>> next = peersFixed ? peers : addresses(parsePeers(p.getProperty("peer", "")));
        if (next.containsKey(node.id())) {
            throw new IllegalArgumentException("peer: " + node.id() + " is this node's own id");
        }
        List<String> changes = new ArrayList<>();
        if (level != null && level != CliLog.level()) {
            changes.add("log level " + CliLog.level().name().toLowerCase() + " -> "
                    + level.name().toLowerCase());
        }
        applyPeers(next, changes);
        if (level != null) CliLog.configure(level, CliLog.format());
        String fixed =
                (peersFixed ? " (peers fixed by --peer)" : "") + (levelFixed ? " (log level fixed by flag)" : "");
        return "reloaded " + configFile + ": " + (changes.isEmpty() ? "no change" : String.join("; ", changes)) + fixed;
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
        for (NodeId id : removed) node.removePeer(id);
        for (NodeId id : moved) node.removePeer(id); // an address is replaced, not added to: re-add it afresh
        for (NodeId id : added) node.addPeer(id, next.get(id));
        for (NodeId id : moved) node.addPeer(id, next.get(id));
        peers = next;
        if (!added.isEmpty()) changes.add("peers added " + sorted(added));
        if (!removed.isEmpty()) changes.add("peers removed " + sorted(removed));
        if (!moved.isEmpty()) changes.add("peers with new addresses " + sorted(moved));
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
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--config: no such file: " + file, e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    private static String sorted(java.util.Collection<NodeId> ids) {
        return ids.stream().map(NodeId::value).sorted().toList().toString();
    }
}
