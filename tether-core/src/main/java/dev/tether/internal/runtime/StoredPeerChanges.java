package dev.tether.internal.runtime;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.internal.engine.Effect;
import dev.tether.spi.KeyValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's runtime membership decisions ({@code addPeer}, {@code removePeer}), as entries of the store's
 * key-value area (namespace {@value #NAMESPACE}, key: the peer's id), so that they outlast a restart: the latest
 * decision about a peer wins, an addition with the addresses it was reached at. Discovered peers are not stored
 * (their discovery reports them again). Stateless; the value format is private to this class.
 */
final class StoredPeerChanges {
    static final String NAMESPACE = "_peers";

    private static final byte ADDED = 'a';
    private static final byte REMOVED = 'r';

    /** One stored decision: {@code removed}, or added and reachable at {@code addresses}. */
    record Change(NodeId peer, boolean removed, List<String> addresses) {}

    private StoredPeerChanges() {}

    static Effect added(NodeId peer, List<String> addresses) {
        return Effect.put(new KeyValue(NAMESPACE, peer.value(), encode(ADDED, addresses), 0));
    }

    static Effect removed(NodeId peer) {
        return Effect.put(new KeyValue(NAMESPACE, peer.value(), new byte[] {REMOVED}, 0));
    }

    /**
     * The decisions among {@code entries} (the namespace as read from the store); an entry this code cannot read (a
     * damaged or newer one) is left out and described in {@code unreadable}.
     */
    static List<Change> decode(List<KeyValue> entries, List<String> unreadable) {
        List<Change> l = new ArrayList<>(entries.size());
        for (KeyValue kv : entries) {
            try {
                l.add(decode(NodeId.of(kv.key()), kv.value()));
            } catch (InvalidIdException | IOException | IllegalArgumentException e) {
                unreadable.add(
                        "stored membership entry '" + kv.key() + "' is unreadable (" + e.getMessage() + "); ignored");
            }
        }
        return l;
    }

    private static Change decode(NodeId peer, byte[] value) throws IOException {
        if (value.length == 1 && value[0] == REMOVED) return new Change(peer, true, List.of());
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        if (in.readByte() != ADDED) throw new IllegalArgumentException("unknown kind " + value[0]);
        int n = in.readUnsignedShort();
        List<String> addresses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) addresses.add(in.readUTF());
        if (in.available() != 0) throw new IllegalArgumentException(in.available() + " trailing bytes");
        return new Change(peer, false, List.copyOf(addresses));
    }

    private static byte[] encode(byte kind, List<String> addresses) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            out.writeShort(addresses.size());
            for (String a : addresses) out.writeUTF(a);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }
}
