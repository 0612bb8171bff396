package dev.tether.internal.engine;

/** What an ACK did to an {@link OutStream}. */
enum AckResult {
    /** It acknowledges more than this store ever committed: the stream is now {@link OutLink#DIVERGED}. */
    DIVERGED,
    /** The receiver took care of more messages: {@link OutStream#ackedSeq()} advanced. */
    ACKED,
    /** Credit or receipt only. */
    OTHER
}
