package dev.tether;

/**
 * What "stored" means before a send completes and before an acknowledgment leaves the receiver.
 * Benchmarks and statistics always state which level was used.
 */
public enum Durability {
    /** Kept in memory only: survives a disconnect, lost with the process. */
    MEMORY,
    /** Written to the operating system: survives a process crash, not power loss or an OS crash. */
    OS_BUFFERED,
    /** Forced to stable storage (fsync) before completion: survives power loss. The default. */
    FSYNC
}
