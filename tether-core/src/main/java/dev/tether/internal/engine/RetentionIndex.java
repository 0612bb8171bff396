package dev.tether.internal.engine;

/**
 * The payload size and publish time of every committed message a channel log still holds (or holds until a trim in
 * flight is durable), oldest first: what retention by count, bytes and age decides on ({@link SharedLog}). Kept in
 * memory (16 bytes per message), filled by this process's commits and, after a restart, from the store's index of the
 * log, so that limits hold across restarts. Not thread-safe: the engine's thread only.
 */
final class RetentionIndex {
    private long[] bytes = new long[16];
    private long[] at = new long[16];
    private int head;
    private int size;
    private long firstSeq = 1;
    private long totalBytes;

    /** Adds committed message {@code seq}, which must follow the last one held (or start an empty index). */
    void add(long seq, long payloadBytes, long publishedAtMillis) {
        if (size == 0) firstSeq = seq;
        else if (seq != firstSeq + size)
            throw new IllegalStateException("expected seq " + (firstSeq + size) + ": " + seq);
        if (size == bytes.length) grow();
        int i = (head + size) & (bytes.length - 1);
        bytes[i] = payloadBytes;
        at[i] = publishedAtMillis;
        size++;
        totalBytes += payloadBytes;
    }

    /** Forgets every message up to {@code seq}: trimmed, or about to be. */
    void removeUpTo(long seq) {
        while (size > 0 && firstSeq <= seq) {
            totalBytes -= bytes[head];
            head = (head + 1) & (bytes.length - 1);
            size--;
            firstSeq++;
        }
    }

    long count() {
        return size;
    }

    long bytes() {
        return totalBytes;
    }

    /** The publish time of the oldest message held; {@code Long.MAX_VALUE} if none. */
    long oldestAt() {
        return size == 0 ? Long.MAX_VALUE : at[head];
    }

    /**
     * How far the log must be trimmed, at {@code now}, so that what it holds after adding {@code extraMessages} and
     * {@code extraBytes} (published, not yet committed) keeps within the limits, and nothing it holds is {@code
     * maxAgeMillis} old: the last sequence number to delete, or 0 if nothing must go. Only messages held here can go.
     */
    long dropUpTo(long maxMessages, long maxBytes, long maxAgeMillis, long now, long extraMessages, long extraBytes) {
        long count = size + extraMessages;
        long sum = totalBytes + extraBytes;
        long upTo = 0;
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (bytes.length - 1);
            boolean old = maxAgeMillis != Long.MAX_VALUE && now - at[i] >= maxAgeMillis;
            if (count <= maxMessages && sum <= maxBytes && !old) break;
            count--;
            sum -= bytes[i];
            upTo = firstSeq + k;
        }
        return upTo;
    }

    private void grow() {
        long[] b = new long[bytes.length * 2];
        long[] a = new long[bytes.length * 2];
        for (int k = 0; k < size; k++) {
            b[k] = bytes[(head + k) & (bytes.length - 1)];
            a[k] = at[(head + k) & (bytes.length - 1)];
        }
        bytes = b;
        at = a;
        head = 0;
    }
}
