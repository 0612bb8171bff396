package dev.tether.transport.tcp.internal;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The MEMBERS control record (docs/TCP.md, "Member lists"): the sender's own entry, then the members it is
 * connected to. An entry is a node id and up to {@link Discovery#MAX_ADDRESSES} addresses ({@code ip:port}).
 * Decoding checks every field: a record whose structure is broken, whose own entry is invalid or that lists more
 * than {@link #MAX_MEMBERS} members is refused whole; an invalid entry or address is dropped and described in
 * {@link Decoded#problems()}, the valid rest is kept.
 */
final class Members {
    /** The most members one record may list. */
    static final int MAX_MEMBERS = 1024;

    record Entry(NodeId id, List<String> addresses) {}

    record Decoded(Entry self, List<Entry> members, List<String> problems) {}

    private Members() {}

    /** Encodes {@code self} and {@code members} into records of at most {@link Wire#MAX_CONTROL_BYTES} each. */
    static List<byte[]> encode(Entry self, List<Entry> members) {
        List<byte[]> records = new ArrayList<>();
        int from = 0;
        do {
            ByteArrayOutputStream entries = new ByteArrayOutputStream();
            int size = 1 + entrySize(self) + 2;
            int count = 0;
            while (from < members.size() && count < MAX_MEMBERS) {
                int n = entrySize(members.get(from));
                if (size + n > Wire.MAX_CONTROL_BYTES) break;
                writeEntry(entries, members.get(from));
                size += n;
                count++;
                from++;
            }
            ByteArrayOutputStream record = new ByteArrayOutputStream(size);
            writeEntry(record, self);
            record.write(count >>> 8);
            record.write(count);
            record.writeBytes(entries.toByteArray());
            records.add(record.toByteArray());
        } while (from < members.size());
        return records;
    }

    private static int entrySize(Entry e) {
        int n = 1 + e.id().value().length() + 1;
        for (String a : e.addresses()) n += 1 + a.length();
        return n;
    }

    private static void writeEntry(ByteArrayOutputStream out, Entry e) {
        byte[] id = e.id().value().getBytes(StandardCharsets.US_ASCII);
        out.write(id.length);
        out.writeBytes(id);
        List<String> addresses = e.addresses().size() > Discovery.MAX_ADDRESSES
                ? e.addresses().subList(0, Discovery.MAX_ADDRESSES)
                : e.addresses();
        out.write(addresses.size());
        for (String a : addresses) {
            byte[] bytes = a.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
    }

    /**
     * Decodes a MEMBERS body.
     *
     * @throws WireException if the record must be refused whole
     */
    static Decoded decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        List<String> problems = new ArrayList<>();
        try {
            Entry self = entry(b, problems);
            if (self == null)
                throw new WireException("malformed MEMBERS: its sender's own entry is invalid: " + problems);
            int count = b.getShort() & 0xffff;
            if (count > MAX_MEMBERS) {
                throw new WireException("MEMBERS lists " + count + " members, at most " + MAX_MEMBERS);
            }
            List<Entry> members = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++) {
                Entry e = entry(b, problems);
                if (e != null) members.add(e);
            }
            if (b.hasRemaining()) throw new WireException("malformed MEMBERS: " + b.remaining() + " trailing bytes");
            return new Decoded(self, members, problems);
        } catch (BufferUnderflowException e) {
            throw new WireException("malformed MEMBERS: truncated");
        }
    }

    /** One entry, or null (with the reason in {@code problems}) if its id is invalid. */
    private static Entry entry(ByteBuffer b, List<String> problems) {
        String rawId = ascii(b, b.get() & 0xff);
        int n = b.get() & 0xff;
        List<String> raw = new ArrayList<>(Math.min(n, Discovery.MAX_ADDRESSES));
        for (int i = 0; i < n; i++) raw.add(ascii(b, b.get() & 0xff));
        NodeId id;
        try {
            id = NodeId.of(rawId);
        } catch (InvalidIdException e) {
            problems.add("member entry dropped: " + e.getMessage());
            return null;
        }
        if (n > Discovery.MAX_ADDRESSES) {
            problems.add("member " + id + " has " + n + " addresses, at most " + Discovery.MAX_ADDRESSES + ": dropped");
            return null;
        }
        List<String> addresses = new ArrayList<>(n);
        for (String a : raw) {
            try {
                addresses.add(UnixAddresses.canonicalLiteral(a));
            } catch (IllegalArgumentException e) {
                problems.add("member " + id + ": " + e.getMessage() + ": address dropped");
            }
        }
        return new Entry(id, List.copyOf(addresses));
    }

    /** {@code length} bytes of printable ASCII; anything else becomes '?', so it is shown but never matches. */
    private static String ascii(ByteBuffer b, int length) {
        if (length > b.remaining()) throw new BufferUnderflowException();
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            int x = b.get() & 0xff;
            c[i] = x >= 0x21 && x <= 0x7e ? (char) x : '?';
        }
        return new String(c);
    }
}
