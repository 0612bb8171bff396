package dev.tether;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A distributed event: the node that owns it, its id there, and the generation of that id (docs/MESSAGING.md,
 * "Events"). A handle is a value: pass it to other nodes inside messages, as text ({@link #toString()}, {@link
 * #parse}) or bytes ({@link #toBytes()}, {@link #fromBytes}), and any node can {@link TetherNode#trigger}, {@link
 * TetherNode#poison} or {@link TetherNode#await} it. Immutable and thread-safe.
 *
 * <p>The text form is {@code owner/id/generation}, for example {@code orders-1/job-7/1733365102000001}: the owner a
 * {@link NodeId}, the id 1 to 64 characters from {@code [A-Za-z0-9._-]}, the generation a positive decimal number.
 *
 * @param owner the node that keeps the event's state and decides its outcome
 * @param id the event's id on its owner ({@link TetherNode#createEvent(String)}, or a random one)
 * @param generation which creation of {@code id} this handle stands for: positive, larger for each new creation
 */
public record EventHandle(NodeId owner, String id, long generation) {
    /** The longest text form: owner, id, a 19-digit generation and two separators. */
    public static final int MAX_TEXT_LENGTH = 2 * NodeId.MAX_LENGTH + 19 + 2;

    /**
     * Checks the fields.
     *
     * @throws InvalidEventHandleException if {@code owner} is null, {@code id} is not a valid event id, or {@code
     *     generation} is not positive
     */
    public EventHandle {
        if (owner == null) throw new InvalidEventHandleException("event handle without an owner");
        requireValidId(id);
        if (generation <= 0) {
            throw new InvalidEventHandleException(
                    "event handle " + owner + "/" + id + " has generation " + generation + "; it must be positive");
        }
    }

    /**
     * Returns {@code id} if it is a valid event id: 1 to 64 characters from {@code [A-Za-z0-9._-]}.
     *
     * @throws InvalidEventHandleException if it is not
     */
    public static String requireValidId(String id) {
        if (id == null || !Lanes.isValidName(id)) {
            throw new InvalidEventHandleException("invalid event id '" + (id == null ? "null" : Lanes.printable(id))
                    + "': expected 1-" + NodeId.MAX_LENGTH + " characters from [A-Za-z0-9._-]");
        }
        return id;
    }

    /**
     * The handle written as {@code text} ({@link #toString()}).
     *
     * @throws InvalidEventHandleException if {@code text} is not the text form of a handle, naming what is wrong
     */
    public static EventHandle parse(String text) {
        if (text == null) throw new InvalidEventHandleException("event handle text must not be null");
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidEventHandleException("event handle text of " + text.length()
                    + " characters is longer than the " + MAX_TEXT_LENGTH + " a handle can have");
        }
        String[] parts = text.split("/", -1);
        if (parts.length != 3) {
            throw new InvalidEventHandleException(
                    "invalid event handle '" + Lanes.printable(text) + "': expected owner/id/generation");
        }
        NodeId owner;
        try {
            owner = NodeId.of(parts[0]);
        } catch (InvalidIdException e) {
            throw new InvalidEventHandleException("invalid owner in event handle: " + e.getMessage(), e);
        }
        long generation;
        try {
            generation = parts[2].isEmpty() || parts[2].charAt(0) == '+' ? -1 : Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            generation = -1;
        }
        if (generation <= 0) {
            throw new InvalidEventHandleException("invalid generation '" + Lanes.printable(parts[2])
                    + "' in event handle: expected a positive decimal number");
        }
        return new EventHandle(owner, parts[1], generation);
    }

    /** The text form as UTF-8 bytes (ASCII, in fact): the form to put in a message's payload. */
    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The handle whose {@link #toBytes()} are {@code bytes}.
     *
     * @throws InvalidEventHandleException if they are not
     */
    public static EventHandle fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > MAX_TEXT_LENGTH) {
            throw new InvalidEventHandleException("event handle of " + bytes.length + " bytes is longer than the "
                    + MAX_TEXT_LENGTH + " a handle can have");
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /** The text form, {@code owner/id/generation}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return owner.value() + "/" + id + "/" + generation;
    }
}
