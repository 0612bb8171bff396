package dev.tether.store.sqlite;

import dev.tether.StoreException;
import dev.tether.spi.MessageChecksum;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Column values of stored messages as the SPI gives them. */
final class Rows {
    private Rows() {}

    /** A message's payload: never null (an empty BLOB may read back as NULL). */
    static byte[] nonNull(byte[] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }

    /** The checksum in {@code column}: NULL in a row stored before schema version 2, which cannot be verified. */
    static long checksum(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        if (rs.wasNull()) return MessageChecksum.UNCHECKED;
        if (!MessageChecksum.isValid(v)) throw new StoreException("outbox row has an invalid checksum " + v);
        return v;
    }
}
