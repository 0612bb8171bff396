package dev.tether.transport.nats;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import dev.tether.transport.nats.internal.NkeyFiles;
import dev.tether.transport.nats.internal.Subjects;
import io.nats.client.NKey;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * NATS server authorization under which no Tether node can send as another: one NATS user per node, authenticated
 * by an nkey, allowed to publish only on the subjects that carry its own id and to subscribe only to presence and
 * its own inbox. With it, and {@link NatsTransport.Builder#identityEnforced}, the {@code from} of every frame is
 * proven by the server (docs/NATS.md, "Identity"). {@code tether nats-config} prints the same block.
 *
 * <p>Failure: invalid prefixes, ids and keys throw {@link IllegalArgumentException}; unusable seed files throw
 * {@link InvalidConfigException} naming the file. Stateless and thread-safe.
 */
public final class NatsAuthorization {
    private NatsAuthorization() {}

    /** One node's NATS user: its id and the public key ({@code U...}) of its nkey. */
    public record NodeUser(NodeId node, String publicKey) {
        /** @throws IllegalArgumentException if {@code publicKey} is not a valid NATS user public key */
        public NodeUser {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(publicKey, "publicKey");
            if (!isUserKey(publicKey)) {
                throw new IllegalArgumentException("not a NATS user public key (U...): '" + publicKey + "'");
            }
        }
    }

    /**
     * The subjects {@code node} publishes on under {@code prefix}, which it must be allowed and which no other
     * node may be: {@code <prefix>.presence.<node>} and {@code <prefix>.to.*.<node>} (ids escaped as one token).
     */
    public static List<String> publishSubjects(String prefix, NodeId node) {
        return new Subjects(prefix).publishPermissions(Objects.requireNonNull(node, "node"));
    }

    /** The subjects {@code node} subscribes to: {@code <prefix>.presence.*} and {@code <prefix>.to.<node>.*}. */
    public static List<String> subscribeSubjects(String prefix, NodeId node) {
        return new Subjects(prefix).subscribePermissions(Objects.requireNonNull(node, "node"));
    }

    /**
     * The server configuration block {@code authorization { users = [...] }} granting each of {@code users} its
     * own subjects under {@code prefix} and nothing else.
     *
     * @throws IllegalArgumentException if {@code users} is empty or names a node or a key twice
     */
    public static String authorizationBlock(String prefix, List<NodeUser> users) {
        Subjects subjects = new Subjects(prefix);
        if (users.isEmpty()) throw new IllegalArgumentException("no nodes to authorize");
        Set<NodeId> nodes = new HashSet<>();
        Set<String> keys = new HashSet<>();
        StringBuilder b = new StringBuilder("authorization {\n  users = [\n");
        for (NodeUser u : users) {
            if (!nodes.add(u.node())) throw new IllegalArgumentException("node " + u.node() + " is listed twice");
            if (!keys.add(u.publicKey())) {
                throw new IllegalArgumentException("nodes share the public key " + u.publicKey());
            }
            b.append("    # tether node ").append(u.node()).append('\n');
            b.append("    {\n      nkey: ").append(u.publicKey()).append('\n');
            b.append("      permissions: {\n");
            b.append("        publish: { allow: ")
                    .append(list(subjects.publishPermissions(u.node())))
                    .append(" }\n");
            b.append("        subscribe: { allow: ")
                    .append(list(subjects.subscribePermissions(u.node())))
                    .append(" }\n");
            b.append("      }\n    }\n");
        }
        return b.append("  ]\n}\n").toString();
    }

    /**
     * Writes a new nkey seed for {@code node} to {@code seedFile}, which must not exist (created readable by its
     * owner only where the file system allows), and returns the node's user.
     *
     * @throws InvalidConfigException if the file exists or cannot be written
     */
    public static NodeUser createSeedFile(NodeId node, Path seedFile) {
        Objects.requireNonNull(node, "node");
        String publicKey = NkeyFiles.create(seedFile, "NATS nkey seed of tether node " + node + "; keep it secret");
        return new NodeUser(node, publicKey);
    }

    /**
     * The user of {@code node} whose nkey seed is in {@code seedFile} (see {@link NatsTransport.Builder#nkey}).
     *
     * @throws InvalidConfigException if the file is missing, unreadable or holds no valid user seed
     */
    public static NodeUser readSeedFile(NodeId node, Path seedFile) {
        return new NodeUser(Objects.requireNonNull(node, "node"), NkeyFiles.publicKey(seedFile));
    }

    private static String list(List<String> subjects) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < subjects.size(); i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(subjects.get(i)).append('"');
        }
        return b.append(']').toString();
    }

    private static boolean isUserKey(String key) {
        try {
            return NKey.isValidPublicUserKey(key.toCharArray());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
