package dev.tether.internal.call;

/** Something with a deadline, kept in a {@link DeadlineHeap}; node thread only. */
abstract class Timed {
    /** Epoch milliseconds. */
    final long deadline;
    /** Position in the heap, -1 while not in one. */
    int heapIndex = -1;

    Timed(long deadline) {
        this.deadline = deadline;
    }
}
