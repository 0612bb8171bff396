package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.management.DeadLetterEntry;
import dev.tether.management.NodeManagement;
import dev.tether.management.PendingMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The pending messages and dead letters of one admin answer, with their payloads bounded in bytes. A query may ask
 * for up to 10,000 of them with their payloads, which the answer carries as base64 and text: unbounded, a backlog of
 * large messages made one answer larger than the heap. So the messages are listed first without payloads, then the
 * payloads of the first ones whose sizes add up to at most {@link #MAX_PAYLOAD_BYTES} are read; the rest are listed
 * without theirs ({@link #omitted}: the answer marks them {@code "payloadOmitted":true}). Stateless.
 */
final class BoundedPayloads {
    /** Payload bytes one answer carries at most (before base64). */
    static final long MAX_PAYLOAD_BYTES = 16L << 20;

    private BoundedPayloads() {}

    /** The first {@code max} messages pending to {@code peer} on {@code lane}; payloads bounded if asked for. */
    static List<PendingMessage> pending(NodeManagement m, NodeId peer, String lane, int max, boolean payloads) {
        List<PendingMessage> listed = m.pending(peer, lane, max, false);
        if (!payloads) return listed;
        int within = within(listed, PendingMessage::size);
        List<PendingMessage> read = within == 0 ? List.of() : m.pending(peer, lane, within, true);
        return merge(
                listed,
                read,
                p -> p.id().toString(),
                PendingMessage::payload,
                (p, bytes) -> new PendingMessage(
                        p.id(), p.size(), p.headers(), p.expiresAt(), p.acceptedAt(), p.age(), p.attempts(), bytes));
    }

    /** The first {@code max} dead letters; payloads bounded if asked for. */
    static List<DeadLetterEntry> deadLetters(NodeManagement m, int max, boolean payloads) {
        List<DeadLetterEntry> listed = m.deadLetters(max, false);
        if (!payloads) return listed;
        int within = within(listed, DeadLetterEntry::size);
        List<DeadLetterEntry> read = within == 0 ? List.of() : m.deadLetters(within, true);
        return merge(
                listed,
                read,
                DeadLetterEntry::id,
                DeadLetterEntry::payload,
                (d, bytes) -> new DeadLetterEntry(
                        d.id(),
                        d.from(),
                        d.lane(),
                        d.seq(),
                        d.headers(),
                        d.size(),
                        bytes,
                        d.attempts(),
                        d.reason(),
                        d.at()));
    }

    /** Whether a listed message's payload was asked for but left out of the answer. */
    static boolean omitted(boolean asked, byte[] payload) {
        return asked && payload == null;
    }

    /** How many of the first messages of {@code listed} fit in {@link #MAX_PAYLOAD_BYTES}. */
    private static <T> int within(List<T> listed, ToIntFunction<T> size) {
        long total = 0;
        int n = 0;
        for (T t : listed) {
            total += size.applyAsInt(t);
            if (total > MAX_PAYLOAD_BYTES) break;
            n++;
        }
        return n;
    }

    /**
     * {@code listed}, each with its payload from {@code read} while the payloads still fit: {@code read} may hold other
     * messages than the first of {@code listed} (some were acknowledged, replayed or purged meanwhile), so the bound is
     * counted again over what is really taken.
     */
    private static <T> List<T> merge(
            List<T> listed,
            List<T> read,
            Function<T, String> id,
            Function<T, byte[]> payload,
            java.util.function.BiFunction<T, byte[], T> with) {
        Map<String, byte[]> payloads = new HashMap<>();
        for (T t : read) payloads.put(id.apply(t), payload.apply(t));
        List<T> out = new ArrayList<>(listed.size());
        long total = 0;
        for (T t : listed) {
            byte[] bytes = payloads.get(id.apply(t));
            if (bytes != null && total + bytes.length <= MAX_PAYLOAD_BYTES) {
                total += bytes.length;
                out.add(with.apply(t, bytes));
            } else {
                out.add(t);
            }
        }
        return out;
    }
}
