package dev.tether.compression;

import io.airlift.compress.lz4.Lz4Decompressor;

/**
 * LZ4 (registry id 1, an LZ4 block without a frame): the fastest of the three, the default choice for payloads that
 * cross a LAN. Thread-safe; see {@link dev.tether.spi.Compressor} for the rules it follows.
 */
public final class Lz4Compressor extends AirCompressor {
    /** For {@code ServiceLoader}. */
    public Lz4Compressor() {
        super(LZ4, "lz4", io.airlift.compress.lz4.Lz4Compressor::new, Lz4Decompressor::new);
    }
}
