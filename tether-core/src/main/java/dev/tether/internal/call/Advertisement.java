package dev.tether.internal.call;

import dev.tether.HandlerNames;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.internal.engine.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's description of itself, as its system handler {@code _hello} receives it and {@code _list_handlers}
 * answers it (docs/PROTOCOL.md, "System handlers"): UTF-8 text, one {@code key value} line each, the first line
 * {@code tether-hello 1}; unknown keys are skipped, so later versions can add some. {@code seq} orders one node's
 * advertisements: a receiver keeps the one with the highest, so a stale list never replaces a newer one.
 *
 * @param id the advertising node
 * @param version its Tether version ({@code dev} when unknown)
 * @param epoch its store epoch
 * @param seq the advertisement's order among the node's advertisements
 * @param handlers its handlers' names, sorted
 * @param channels its channels (none yet: channels do not exist yet)
 */
record Advertisement(NodeId id, String version, long epoch, long seq, List<String> handlers, List<String> channels) {
    /** The largest advertisement accepted, in bytes: {@link HandlerNames#MAX_PER_NODE} names fit easily. */
    static final int MAX_BYTES = 128 * 1024;

    static final String FORMAT = "tether-hello 1";
    private static final int MAX_VERSION_LENGTH = 64;

    /** This build's Tether version, as its jar's manifest names it. */
    static final String LOCAL_VERSION = localVersion();

    private static String localVersion() {
        String v = Advertisement.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v.strip().replaceAll("\\s+", "_");
    }

    Advertisement {
        handlers = List.copyOf(handlers);
        channels = List.copyOf(channels);
    }

    byte[] encode() {
        StringBuilder b = new StringBuilder(64 + handlers.size() * 16);
        b.append(FORMAT).append('\n');
        b.append("id ").append(id).append('\n');
        b.append("version ").append(version).append('\n');
        b.append("protocol ").append(FrameCodec.VERSION).append('\n');
        b.append("epoch ").append(Long.toHexString(epoch)).append('\n');
        b.append("seq ").append(seq).append('\n');
        b.append("handlers ").append(String.join(" ", handlers)).append('\n');
        b.append("channels ").append(String.join(" ", channels)).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes and validates {@code payload}.
     *
     * @throws IllegalArgumentException naming what is wrong: too large, not this format, a missing or invalid field,
     *     an invalid, reserved or repeated handler name, more than {@link HandlerNames#MAX_PER_NODE} names
     */
    static Advertisement decode(byte[] payload) {
        if (payload.length > MAX_BYTES) {
            throw new IllegalArgumentException(payload.length + " bytes, at most " + MAX_BYTES);
        }
        String[] lines = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
        if (!FORMAT.equals(lines[0])) throw new IllegalArgumentException("does not start with '" + FORMAT + "'");
        NodeId id = null;
        String version = "dev";
        long epoch = 0;
        long seq = -1;
        List<String> handlers = List.of();
        List<String> channels = List.of();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) continue;
            int sp = line.indexOf(' ');
            String key = sp < 0 ? line : line.substring(0, sp);
            String value = sp < 0 ? "" : line.substring(sp + 1);
            switch (key) {
                case "id" -> id = nodeId(value);
                case "version" -> version = version(value);
                case "epoch" -> epoch = number(key, value, 16);
                case "seq" -> seq = number(key, value, 10);
                case "handlers" -> handlers = names("handler", value);
                case "channels" -> channels = names("channel", value);
                default -> {} // a later version's field: skipped on purpose
            }
        }
        if (id == null) throw new IllegalArgumentException("no id");
        if (seq < 0) throw new IllegalArgumentException("no seq");
        return new Advertisement(id, version, epoch, seq, handlers, channels);
    }

    private static NodeId nodeId(String value) {
        try {
            return NodeId.of(value);
        } catch (InvalidIdException e) {
            throw new IllegalArgumentException("id: " + e.getMessage());
        }
    }

    private static String version(String value) {
        if (value.isEmpty()
                || value.length() > MAX_VERSION_LENGTH
                || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("invalid version");
        }
        return value;
    }

    private static long number(String key, String value, int radix) {
        try {
            return radix == 16 ? Long.parseUnsignedLong(value, 16) : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + key + " '" + cut(value) + "'");
        }
    }

    private static List<String> names(String what, String value) {
        if (value.isEmpty()) return List.of();
        String[] parts = value.split(" ", -1);
        if (parts.length > HandlerNames.MAX_PER_NODE) {
            throw new IllegalArgumentException(parts.length + " " + what + "s, at most " + HandlerNames.MAX_PER_NODE);
        }
        List<String> names = new ArrayList<>(parts.length);
        Set<String> seen = new HashSet<>();
        for (String n : parts) {
            try {
                HandlerNames.requireApplicationName(n);
            } catch (InvalidIdException | IllegalArgumentException e) { // invalid, or reserved
                throw new IllegalArgumentException(what + " name: " + e.getMessage());
            }
            if (!seen.add(n)) throw new IllegalArgumentException(what + " '" + n + "' listed twice");
            names.add(n);
        }
        names.sort(null);
        return names;
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
