package dev.tether.internal.call;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.HandlerNames;
import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.bus.Address;
import dev.tether.internal.engine.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

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
 * @param channels the channels it joined, as {@code name:ROLE} entries ({@link #channelEntry}), sorted by name
 * @param endpoints the names of its endpoints (docs/BUS-DESIGN.md, section 1.2), sorted, at most {@link
 *     #MAX_ENDPOINTS}
 * @param endpointsMore whether it has more endpoints than it lists
 * @param dropped channel and endpoint entries that {@link #decode} left out, each with the reason (never encoded): a
 *     bogus entry costs only itself, so that a newer peer's role, say, leaves the rest of its advertisement usable
 */
record Advertisement(
        NodeId id,
        String version,
        long epoch,
        long seq,
        List<String> handlers,
        List<String> channels,
        List<String> endpoints,
        boolean endpointsMore,
        List<String> dropped) {
    /**
     * The largest advertisement accepted, in bytes: {@link HandlerNames#MAX_PER_NODE} handler names, {@link
     * #MAX_CHANNELS} channel entries and {@link #MAX_ENDPOINTS} endpoint names fit.
     */
    static final int MAX_BYTES = 512 * 1024;

    /** The most endpoints an advertisement lists: a node with more lists the first ones by name, and says so. */
    static final int MAX_ENDPOINTS = 4096;

    /** The most dropped entries {@link #dropped} describes one by one; it counts the rest in a last entry. */
    static final int MAX_DROPPED_LISTED = 8;

    /** The most channels an advertisement lists: a node in more advertises the first ones by name. */
    static final int MAX_CHANNELS = 1024;

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
        endpoints = List.copyOf(endpoints);
        dropped = List.copyOf(dropped);
    }

    /** An advertisement as a node without endpoints makes it. */
    Advertisement(NodeId id, String version, long epoch, long seq, List<String> handlers, List<String> channels) {
        this(id, version, epoch, seq, handlers, channels, List.of(), false, List.of());
    }

    /** The first {@link #MAX_ENDPOINTS} of {@code names}, sorted. */
    static List<String> firstEndpoints(List<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        return sorted.size() <= MAX_ENDPOINTS ? sorted : sorted.subList(0, MAX_ENDPOINTS);
    }

    /** The entry advertising membership of {@code channel} as {@code role}. */
    static String channelEntry(String channel, ChannelRole role) {
        return channel + ":" + role.name();
    }

    /** The entries of {@code memberships}, sorted by channel, at most {@link #MAX_CHANNELS}. */
    static List<String> channelEntries(Map<String, ChannelRole> memberships) {
        List<String> out = new ArrayList<>(Math.min(memberships.size(), MAX_CHANNELS));
        for (Map.Entry<String, ChannelRole> m : new TreeMap<>(memberships).entrySet()) {
            if (out.size() == MAX_CHANNELS) break;
            out.add(channelEntry(m.getKey(), m.getValue()));
        }
        return out;
    }

    /** The channels advertised, with their roles, sorted by name. */
    SortedMap<String, ChannelRole> channelRoles() {
        SortedMap<String, ChannelRole> out = new TreeMap<>();
        for (String e : channels) {
            int colon = e.lastIndexOf(':');
            out.put(e.substring(0, colon), ChannelRole.valueOf(e.substring(colon + 1)));
        }
        return Collections.unmodifiableSortedMap(out);
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
        if (!endpoints.isEmpty())
            b.append("endpoints ").append(String.join(" ", endpoints)).append('\n');
        if (endpointsMore) b.append("endpoints-more 1\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes and validates {@code payload}.
     *
     * A channel entry that is not {@code name:ROLE} with a valid, unreserved name and a known role, repeats a name or
     * is beyond {@link #MAX_CHANNELS} is left out and listed in {@link #dropped}; so is an endpoint name that is
     * invalid, repeated or beyond {@link #MAX_ENDPOINTS}.
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
        List<String> endpoints = List.of();
        boolean endpointsMore = false;
        List<String> dropped = new ArrayList<>();
        int[] more = {0}; // dropped entries beyond those listed
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
                case "channels" -> channels = entries("channel", value, dropped, more, Advertisement::channelProblem);
                case "endpoints" ->
                    endpoints = entries("endpoint", value, dropped, more, Advertisement::endpointProblem);
                case "endpoints-more" -> endpointsMore = "1".equals(value);
                default -> {} // a later version's field: skipped on purpose
            }
        }
        if (id == null) throw new IllegalArgumentException("no id");
        if (seq < 0) throw new IllegalArgumentException("no seq");
        if (more[0] > 0) dropped.add("and " + more[0] + " more");
        return new Advertisement(id, version, epoch, seq, handlers, channels, endpoints, endpointsMore, dropped);
    }

    /** Why an entry cannot be kept beside {@code kept} (by name), or null if it can. */
    private interface Check {
        String problem(String entry, Map<String, String> kept);
    }

    /**
     * The valid entries of a {@code channels} or {@code endpoints} line ({@code what}), sorted by name; the others go
     * to {@code dropped} (counted beyond {@link #MAX_DROPPED_LISTED}).
     */
    private static List<String> entries(String what, String value, List<String> dropped, int[] more, Check check) {
        if (value.isEmpty()) return List.of();
        SortedMap<String, String> kept = new TreeMap<>();
        for (String e : value.split(" ", -1)) {
            String problem = check.problem(e, kept);
            int colon = e.lastIndexOf(':');
            if (problem == null) kept.put(colon < 0 ? e : e.substring(0, colon), e);
            else if (dropped.size() < MAX_DROPPED_LISTED) dropped.add(what + " '" + cut(e) + "' (" + problem + ")");
            else more[0]++;
        }
        return new ArrayList<>(kept.values());
    }

    /** Why endpoint name {@code entry} cannot be kept beside {@code kept}; null if it can. */
    private static String endpointProblem(String entry, Map<String, String> kept) {
        if (entry.indexOf(':') >= 0) return "not an endpoint name";
        try {
            Address.requireAgentName(entry);
        } catch (InvalidIdException | IllegalArgumentException e) { // invalid, or reserved
            return e.getMessage();
        }
        if (kept.containsKey(entry)) return "endpoint listed twice";
        if (kept.size() == MAX_ENDPOINTS) return "more than " + MAX_ENDPOINTS + " endpoints";
        return null;
    }

    /** Why {@code entry} cannot be kept beside {@code kept}; null if it can. */
    private static String channelProblem(String entry, Map<String, String> kept) {
        int colon = entry.lastIndexOf(':');
        if (colon < 0) return "not name:ROLE";
        String name = entry.substring(0, colon);
        try {
            Channels.requireApplicationChannel(name);
        } catch (InvalidIdException | IllegalArgumentException e) { // invalid, or reserved
            return e.getMessage();
        }
        String role = entry.substring(colon + 1);
        if (!isRole(role)) return "unknown role '" + cut(role) + "'";
        if (kept.containsKey(name)) return "channel listed twice";
        if (kept.size() == MAX_CHANNELS) return "more than " + MAX_CHANNELS + " channels";
        return null;
    }

    private static boolean isRole(String role) {
        for (ChannelRole r : ChannelRole.values()) {
            if (r.name().equals(role)) return true;
        }
        return false;
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
