package dev.tether.store.sqlite;

import dev.tether.NodeId;
import dev.tether.spi.InboundCursor;
import dev.tether.spi.OutboundState;
import dev.tether.spi.StoredState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the state {@link SqliteStore#open} returns from an initialized store file; the store's thread. */
final class StateLoader {
    private StateLoader() {}

    /** Reads the outbound streams, inbound cursors and peer epochs in one read transaction. */
    static StoredState load(Connection connection, long epoch) throws SQLException {
        List<OutboundState> outbound = new ArrayList<>();
        List<InboundCursor> inbound = new ArrayList<>();
        Map<NodeId, Long> peers = new HashMap<>();
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN"); // one snapshot for all three reads
            try (ResultSet rs = s.executeQuery("SELECT peer, lane, last_seq, acked_seq FROM streams")) {
                while (rs.next()) {
                    outbound.add(new OutboundState(
                            NodeId.of(rs.getString(1)), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT peer, lane, sender_epoch, processed_seq FROM cursors")) {
                while (rs.next()) {
                    inbound.add(new InboundCursor(
                            NodeId.of(rs.getString(1)), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT peer, epoch FROM peers")) {
                while (rs.next()) peers.put(NodeId.of(rs.getString(1)), rs.getLong(2));
            }
            s.execute("COMMIT");
        }
        return new StoredState(epoch, outbound, inbound, peers);
    }
}
