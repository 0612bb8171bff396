package dev.tether.discovery;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fixed member list, for example the same list given to every node of a cluster. On {@link #start} it
 * reports every member except the node itself, once, on the calling thread; it never reports a member lost.
 * Listing a node here does not admit it: the node still requires the proof and allow-list of {@code
 * TetherConfig}, unlike {@code TetherConfig.Builder#peers}. Immutable apart from its started state; thread-safe.
 *
 * <pre>{@code
 * Discovery members = StaticDiscovery.builder()
 *         .member(NodeId.of("a"), "10.0.0.1:7001")
 *         .member(NodeId.of("b"), "10.0.0.2:7001")
 *         .build();
 * }</pre>
 */
public final class StaticDiscovery implements Discovery {
    private static final System.Logger LOG = System.getLogger(StaticDiscovery.class.getName());

    private final Map<NodeId, List<String>> members;
    private boolean started;
    private volatile boolean closed;

    private StaticDiscovery(Map<NodeId, List<String>> members) {
        this.members = members;
    }

    /** A builder for a member list. */
    public static Builder builder() {
        return new Builder();
    }

    /** The members of {@code members}, each with its addresses. */
    public static StaticDiscovery of(Map<NodeId, List<String>> members) {
        Builder b = builder();
        members.forEach(b::member);
        return b.build();
    }

    /** The members, in the order they were given. */
    public Map<NodeId, List<String>> members() {
        return members;
    }

    @Override
    public void start(NodeId self, Listener listener) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (started || closed) throw new IllegalStateException("discovery was already started or closed");
            started = true;
        }
        for (Map.Entry<NodeId, List<String>> m : members.entrySet()) {
            if (closed) return;
            if (m.getKey().equals(self)) continue;
            try {
                listener.onDiscovered(m.getKey(), m.getValue());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "discovery listener threw on " + m.getKey() + "; continuing", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Collects members; {@link #member} validates each address against the limits of {@link Discovery}. */
    public static final class Builder {
        private final Map<NodeId, List<String>> members = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds {@code id} reachable at {@code addresses} (in the transport's format, for TCP {@code host:port};
         * none for transports that find their peers by themselves). A second call for the same id replaces the
         * addresses.
         *
         * @throws InvalidConfigException if there are more than {@link Discovery#MAX_ADDRESSES} addresses or one is
         *     blank or longer than {@link Discovery#MAX_ADDRESS_LENGTH} characters
         */
        public Builder member(NodeId id, List<String> addresses) {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(addresses, "addresses");
            if (addresses.size() > MAX_ADDRESSES) {
                throw new InvalidConfigException(
                        "member " + id + ": " + addresses.size() + " addresses, at most " + MAX_ADDRESSES);
            }
            List<String> copy = new ArrayList<>(addresses.size());
            for (String a : addresses) {
                if (a == null || a.isBlank() || a.length() > MAX_ADDRESS_LENGTH) {
                    throw new InvalidConfigException("member " + id + ": invalid address '" + a + "'");
                }
                copy.add(a);
            }
            members.put(id, List.copyOf(copy));
            return this;
        }

        /** Same as {@code member(id, List.of(addresses))}. */
        public Builder member(NodeId id, String... addresses) {
            return member(id, List.of(addresses));
        }

        public StaticDiscovery build() {
            return new StaticDiscovery(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members)));
        }
    }
}
