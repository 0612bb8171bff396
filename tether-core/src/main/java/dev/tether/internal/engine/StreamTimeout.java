package dev.tether.internal.engine;

/** What a retransmission timeout of an {@link OutStream} asks for. */
enum StreamTimeout {
    /** The OPEN or its answer was lost: open again. */
    REOPEN,
    /** Data went unconfirmed: go back to the last confirmed message and send again. */
    GO_BACK,
    /** Everything arrived but is not processed, or there is no credit: probe with OPEN for a fresh ACK. */
    PROBE
}
