package dev.tether.internal.call;

import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One event of the owner's registry ({@link EventRegistry}): the current generation of an id, its state and, once
 * completed, the trigger's payload or the poison's reason; the nodes waiting for it; this process's futures waiting for
 * it. Stored in the key-value area under its id; {@link #encode()} is the stored value: version (1 byte), generation
 * (8), state (1), completion order (8), payload (4-byte length, bytes), reason (UTF), remote waiters (2-byte count,
 * each a UTF node id). Node thread only.
 */
final class EventEntry {
    static final int PENDING = 0;
    static final int TRIGGERED = 1;
    static final int POISONED = 2;
    private static final int VERSION = 1;

    final String id;
    final long generation;
    int state = PENDING;
    /** Position in the order of completion (the history's order); 0 while pending. */
    long order;

    byte[] payload = new byte[0];
    String reason = "";
    final LinkedHashSet<NodeId> remoteWaiters = new LinkedHashSet<>();
    /** Futures of this process, completed once the completion is durable. */
    final List<CompletableFuture<byte[]>> localWaiters = new ArrayList<>();
    /** Whether the state in memory is the stored one (false between a completion and its commit). */
    boolean durable;

    EventEntry(String id, long generation) {
        this.id = id;
        this.generation = generation;
    }

    EventHandle handle(NodeId owner) {
        return new EventHandle(owner, id, generation);
    }

    boolean pending() {
        return state == PENDING;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + payload.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(generation);
            out.writeByte(state);
            out.writeLong(order);
            out.writeInt(payload.length);
            out.write(payload);
            out.writeUTF(reason);
            out.writeShort(remoteWaiters.size());
            for (NodeId w : remoteWaiters) out.writeUTF(w.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does no I/O
        }
        return bytes.toByteArray();
    }

    /**
     * The entry stored under {@code id} as {@code value}.
     *
     * @throws IllegalArgumentException if the value is not one this code writes
     */
    static EventEntry decode(String id, byte[] value) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        try {
            int version = in.readUnsignedByte();
            if (version != VERSION) throw new IllegalArgumentException("unknown entry version " + version);
            EventEntry e = new EventEntry(EventHandle.requireValidId(id), in.readLong());
            if (e.generation <= 0) throw new IllegalArgumentException("generation " + e.generation);
            e.state = in.readUnsignedByte();
            if (e.state > POISONED) throw new IllegalArgumentException("unknown state " + e.state);
            e.order = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > EventLimits.MAX_PAYLOAD_BYTES) throw new IllegalArgumentException("payload length " + n);
            e.payload = new byte[n];
            in.readFully(e.payload);
            e.reason = in.readUTF();
            int waiters = in.readUnsignedShort();
            for (int i = 0; i < waiters; i++) e.remoteWaiters.add(NodeId.of(in.readUTF()));
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " bytes after the entry");
            e.durable = true;
            return e;
        } catch (IOException | RuntimeException x) {
            throw new IllegalArgumentException("stored event '" + id + "' is unreadable: " + x.getMessage(), x);
        }
    }
}
