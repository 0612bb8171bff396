package dev.tether.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The append-only history a process under test writes about itself, one text line per record, so that a
 * test can check it with {@link dev.tether.testkit.sim.HistoryChecker} after killing the process any number
 * of times ({@link HistoryLogReader} turns the logs of all runs into one history).
 *
 * <p><b>Why it survives SIGKILL.</b> Every record is one {@code write} system call on a {@link FileChannel},
 * with no user-space buffer: once {@code write} returns, the bytes are in the operating system's page cache,
 * which a killed process does not take with it. A kill can only cut off the record being written, which the
 * reader then ignores (a line without its newline). Records are not fsynced: the tests kill processes, not
 * the machine.
 *
 * <p><b>What to record, and when.</b> Each method says whether to call it before or after the fact it
 * describes; the order matters for the checker (for example a delivery must be recorded before the handler
 * returns, so that it precedes the cursor commit that follows from it).
 *
 * <p><b>Threading.</b> Thread-safe: writes are serialized, so the file's order is one order in which the
 * recorded facts happened.
 *
 * <p><b>Failure.</b> An I/O error throws {@link UncheckedIOException}; the history would be incomplete, so the
 * process under test should not go on as if nothing happened.
 */
public final class HistoryLog implements AutoCloseable {
    private final FileChannel channel;

    private HistoryLog(FileChannel channel) {
        this.channel = channel;
    }

    /** Creates {@code file} (it must not exist: each run of the process writes its own file). */
    public static HistoryLog create(Path file) {
        try {
            return new HistoryLog(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create history log " + file, e);
        }
    }

    /** Before calling send: {@code node} is about to send message {@code msgId} on stream (node, to, lane). */
    public void sending(String node, String to, String lane, long msgId) {
        write("S", node, to, lane, msgId);
    }

    /** After the send's {@code accepted()} future completed: {@code msgId} is stored as {@code seq}. */
    public void accepted(String node, String to, String lane, long msgId, long seq) {
        write("A", node, to, lane, msgId, seq);
    }

    /** After the send threw or its {@code accepted()} future failed: nothing was stored (or it is unknown). */
    public void rejected(String node, long msgId, String reason) {
        write("R", node, msgId, token(reason));
    }

    /**
     * Inside the handler, before it returns: {@code receiver}'s application processed {@code seq} of stream
     * (sender, receiver, lane), whose payload has checksum {@code crc} ({@link #crc(byte[])}).
     */
    public void delivered(
            String receiver,
            String sender,
            String lane,
            long seq,
            long msgId,
            boolean redelivery,
            int attempt,
            long crc) {
        write("D", receiver, sender, lane, seq, msgId, redelivery ? 1 : 0, attempt, crc);
    }

    /** After {@code receiver}'s store committed its cursor of stream (sender, lane) at {@code upTo}. */
    public void cursorCommitted(String receiver, String sender, String lane, long upTo) {
        write("C", receiver, sender, lane, upTo);
    }

    /** After {@code sender}'s store committed the trim of stream (to, lane) up to {@code upTo}. */
    public void trimmed(String sender, String to, String lane, long upTo) {
        write("K", sender, to, lane, upTo);
    }

    /**
     * After {@code publisher}'s store committed message {@code msgId} as {@code seq} of its log of the channel whose
     * lane is {@code lane} (a publish is stored once, whatever the number of readers).
     */
    public void published(String publisher, String lane, long seq, long msgId) {
        write("P", publisher, lane, seq, msgId);
    }

    /**
     * After {@code publisher}'s store committed the row of {@code reader} in its log of the channel whose lane is
     * {@code lane}: its cursor, or -1 for a removal.
     */
    public void readerRow(String publisher, String reader, String lane, long cursor) {
        write("W", publisher, reader, lane, cursor);
    }

    /** At the end of a run that drained: the final state of outbound stream (sender, to, lane). */
    public void finalStream(String sender, String to, String lane, long lastSeq, long ackedSeq) {
        write("L", sender, to, lane, lastSeq, ackedSeq);
    }

    /** Something that must never happen, described for the report. */
    public void anomaly(String node, String description) {
        write("E", node, token(description));
    }

    /**
     * The payload of message {@code msgId}: {@code size} bytes (at least 8) starting with the id, the rest
     * derived from it, so a receiver can check content as well as the id.
     */
    public static byte[] payloadFor(long msgId, int size) {
        if (size < 8) throw new IllegalArgumentException("payload size must be at least 8, was " + size);
        ByteBuffer b = ByteBuffer.allocate(size).putLong(msgId);
        long x = msgId * 0x9E3779B97F4A7C15L + 1;
        while (b.hasRemaining()) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.put((byte) x);
        }
        return b.array();
    }

    /** The message id a payload made by {@link #payloadFor} carries. */
    public static long msgIdOf(byte[] payload) {
        return payload.length < 8 ? -1 : ByteBuffer.wrap(payload).getLong(0);
    }

    public static long crc(byte[] payload) {
        CRC32 c = new CRC32();
        c.update(payload);
        return c.getValue();
    }

    private static String token(String text) {
        String t = String.valueOf(text).replaceAll("\\s+", "_");
        return t.isEmpty() ? "-" : t;
    }

    private void write(String type, Object... fields) {
        StringBuilder b = new StringBuilder(64)
                .append(System.currentTimeMillis())
                .append(' ')
                .append(type);
        for (Object f : fields) {
            String s = String.valueOf(Objects.requireNonNull(f, "field"));
            if (s.isEmpty() || s.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("history field must be one non-empty word: '" + s + "'");
            }
            b.append(' ').append(s);
        }
        ByteBuffer bytes = ByteBuffer.wrap(b.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        synchronized (channel) {
            try {
                while (bytes.hasRemaining()) channel.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write history log", e);
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close history log", e);
        }
    }
}
