package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child of {@link SecondProcessOnTheStoreTest}: node "a" on the store file {@code args[0]} (FSYNC), sending
 * "m0", "m1", ... to peer "b", which never runs, so every message stays in the outbox. Prints {@code ACCEPTED i} once
 * message i is stored and {@code READY} after the first 50; sends until it is killed.
 */
public final class StoreHoldingNode {
    private StoreHoldingNode() {}

    public static void main(String[] args) throws Exception {
        NodeId b = NodeId.of("b");
        TetherNode node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(b)
                .transport(new InMemoryNetwork().newTransport())
                .store(new SqliteStore(Path.of(args[0])))
                .durability(Durability.FSYNC)
                .build());
        for (int i = 0; ; i++) {
            SendReceipt r = node.send(b, ("m" + i).getBytes(StandardCharsets.UTF_8));
            r.accepted().get(60, TimeUnit.SECONDS);
            System.out.println("ACCEPTED " + i);
            if (i == 49) System.out.println("READY");
            System.out.flush();
        }
    }
}
