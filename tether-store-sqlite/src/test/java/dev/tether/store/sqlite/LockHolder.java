package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import dev.tether.spi.WriteBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child process of {@link StoreOwnershipTest}: opens a store, commits {@code n} messages to peer "b",
 * prints {@code READY}, and then keeps the store open until its standard input ends (so it also ends when the
 * test JVM dies) or it is killed.
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws IOException {
        SqliteStore store = new SqliteStore(Path.of(args[0]));
        long last = store.open(Durability.FSYNC).outbound().stream()
                .mapToLong(o -> o.lastSeq())
                .max()
                .orElse(0);
        int n = Integer.parseInt(args[1]);
        WriteBatch batch = new WriteBatch();
        for (long seq = last + 1; seq <= last + n; seq++) {
            batch.append(new StoredMessage(NodeId.of("b"), "default", seq, 0, Map.of(), new byte[] {(byte) seq}));
        }
        store.commit(batch);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the store until stdin closes
        }
        store.close();
    }
}
