package dev.tether.store.sqlite;

import dev.tether.StoreException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes message headers as a compact blob: no headers is the empty blob; otherwise a 4-byte count
 * followed, per entry, by a 4-byte length and the UTF-8 bytes of the name, then the same for the value
 * (all integers big-endian).
 */
final class HeaderCodec {
    private static final byte[] EMPTY = new byte[0];

    private HeaderCodec() {}

    static byte[] encode(Map<String, String> headers) {
        if (headers.isEmpty()) return EMPTY;
        int size = 4;
        byte[][] parts = new byte[headers.size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            parts[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            parts[i + 1] = e.getValue().getBytes(StandardCharsets.UTF_8);
            size += 8 + parts[i].length + parts[i + 1].length;
            i += 2;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putInt(headers.size());
        for (byte[] part : parts) {
            buf.putInt(part.length);
            buf.put(part);
        }
        return buf.array();
    }

    static Map<String, String> decode(byte[] blob) {
        if (blob == null || blob.length == 0) return Map.of();
        try {
            ByteBuffer buf = ByteBuffer.wrap(blob);
            int count = buf.getInt();
            if (count < 0 || count > blob.length / 8) throw corrupt("header count " + count);
            Map<String, String> headers = new HashMap<>(count * 2);
            for (int i = 0; i < count; i++) headers.put(string(buf), string(buf));
            if (buf.hasRemaining()) throw corrupt(buf.remaining() + " trailing bytes");
            return headers;
        } catch (BufferUnderflowException e) {
            throw new StoreException("corrupt header blob: truncated", e);
        }
    }

    private static String string(ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) throw corrupt("string length " + length);
        return new String(blob(buf, length), StandardCharsets.UTF_8);
    }

    private static byte[] blob(ByteBuffer buf, int length) {
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }

    private static StoreException corrupt(String what) {
        return new StoreException("corrupt header blob: " + what);
    }
}
