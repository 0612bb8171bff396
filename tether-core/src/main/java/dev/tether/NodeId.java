package dev.tether;

/**
 * The identity of a node: 1 to 64 characters from {@code [A-Za-z0-9._-]}. Node ids are compared by
 * value; they are stable across restarts (the store's epoch, not the id, tells incarnations apart).
 */
public record NodeId(String value) implements Comparable<NodeId> {
    /** Longest accepted id, in characters. */
    public static final int MAX_LENGTH = 64;

    /** @throws InvalidIdException if {@code value} is not a valid id */
    public NodeId {
        if (value == null) throw new InvalidIdException("node id must not be null");
        if (!Lanes.isValidName(value)) {
            throw new InvalidIdException("invalid node id '" + Lanes.printable(value) + "': expected 1-" + MAX_LENGTH
                    + " characters from [A-Za-z0-9._-]");
        }
    }

    /** Same as {@code new NodeId(value)}. */
    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
