package dev.tether.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The conversation a chat node has seen, in a file beside its store: one line per message, in the order the node took
 * them (its own messages once stored, the others' as they were delivered). A message is added once: a redelivery
 * (the node crashed after adding it and before its acknowledgment was stored) finds its {@link ChatLine#key} already
 * here. What was seen is kept per channel and publisher as ranges of sequence numbers ({@link SeenNumbers}), so memory
 * grows with the gaps in what was seen, not with the length of the conversation. With {@code force} each line is on disk before {@link #add} returns, so the handler that adds a message
 * acknowledges it only after that (the node's durability is {@code FSYNC}); else the OS writes it later, which a
 * SIGKILL does not lose. A last line cut short by a crash is ignored when the file is read again. Thread-safe.
 *
 * <p>Format: tab-separated channel, publisher, sequence number, time (epoch ms), text; backslash, tab, CR and LF in
 * the text escaped as {@code \\}, {@code \t}, {@code \r}, {@code \n}.
 */
final class ChatTranscript implements Closeable {
    /** Lines kept in memory for a page that connects: the latest ones. */
    static final int RECENT = 2_000;

    private final FileChannel file;
    private final boolean force;
    /** Per channel and publisher ({@code channel/from}), the sequence numbers in the file. */
    private final Map<String, SeenNumbers> seen = new HashMap<>();

    private int lines;
    private final ArrayDeque<ChatLine> recent = new ArrayDeque<>();

    private ChatTranscript(FileChannel file, boolean force) {
        this.file = file;
        this.force = force;
    }

    /** Opens (or creates) {@code path} and reads what it holds. */
    static ChatTranscript open(Path path, boolean force) throws IOException {
        ChatTranscript t = new ChatTranscript(
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                force);
        t.load(Files.readString(path, StandardCharsets.UTF_8));
        return t;
    }

    private void load(String content) throws IOException {
        int end = content.lastIndexOf('\n') + 1; // a last line without its newline was cut short: dropped
        for (String l : content.substring(0, end).split("\n")) {
            ChatLine line = parse(l);
            if (line != null && seen(line).add(line.seq())) remember(line);
        }
        file.truncate(end);
        file.position(end);
    }

    /** Adds {@code line} unless a line with its key is here; returns whether it was added. */
    synchronized boolean add(ChatLine line) {
        SeenNumbers numbers = seen(line);
        if (numbers.contains(line.seq())) return false;
        try {
            ByteBuffer b = ByteBuffer.wrap(format(line).getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) file.write(b);
            if (force) file.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("chat transcript not written: " + e.getMessage(), e);
        }
        numbers.add(line.seq());
        remember(line);
        return true;
    }

    /** Lines in the transcript. */
    synchronized int size() {
        return lines;
    }

    /** Ranges of sequence numbers held for all channels and publishers: what the deduplication costs. */
    synchronized int ranges() {
        return seen.values().stream().mapToInt(SeenNumbers::ranges).sum();
    }

    private SeenNumbers seen(ChatLine line) {
        return seen.computeIfAbsent(line.channel() + '/' + line.from(), k -> new SeenNumbers());
    }

    /** The latest lines, oldest first (at most {@link #RECENT}). */
    synchronized List<ChatLine> recent() {
        return List.copyOf(recent);
    }

    private void remember(ChatLine line) {
        lines++;
        recent.addLast(line);
        if (recent.size() > RECENT) recent.removeFirst();
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }

    static String format(ChatLine l) {
        return l.channel() + '\t' + l.from() + '\t' + l.seq() + '\t' + l.at() + '\t' + escape(l.text()) + '\n';
    }

    /** The line {@code s} holds, or null if it is not one (skipped). */
    static ChatLine parse(String s) {
        String[] f = s.split("\t", 5);
        if (f.length != 5) return null;
        try {
            return new ChatLine(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), unescape(f[4]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            b.append(
                    switch (n) {
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case 'n' -> '\n';
                        default -> n;
                    });
        }
        return b.toString();
    }
}
