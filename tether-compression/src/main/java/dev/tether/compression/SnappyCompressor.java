package dev.tether.compression;

import dev.tether.CompressionException;
import io.airlift.compress.snappy.SnappyDecompressor;

/**
 * Snappy (registry id 3, a Snappy block, which starts with its decompressed length): as fast as LZ4 with a similar
 * ratio, for peers that standardise on it. Thread-safe; see {@link dev.tether.spi.Compressor} for the rules it follows.
 */
public final class SnappyCompressor extends AirCompressor {
    /** For {@code ServiceLoader}. */
    public SnappyCompressor() {
        super(SNAPPY, "snappy", io.airlift.compress.snappy.SnappyCompressor::new, SnappyDecompressor::new);
    }

    @Override
    void checkDeclared(byte[] in, int inOffset, int length, int maxOut) {
        int declared;
        try {
            declared = SnappyDecompressor.getUncompressedLength(in, inOffset);
        } catch (RuntimeException e) {
            throw new CompressionException("snappy: invalid length prefix in " + length + " bytes", e);
        }
        if (declared < 0 || declared > maxOut) {
            throw new CompressionException("snappy: input declares " + declared + " bytes, room " + maxOut);
        }
    }
}
