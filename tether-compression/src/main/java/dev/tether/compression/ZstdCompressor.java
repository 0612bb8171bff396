package dev.tether.compression;

import dev.tether.CompressionException;
import io.airlift.compress.zstd.ZstdDecompressor;

/**
 * Zstandard (registry id 2, one Zstandard frame): a better ratio than LZ4 and Snappy for more CPU, for links where
 * bytes cost more than cycles. Thread-safe; see {@link dev.tether.spi.Compressor} for the rules it follows.
 */
public final class ZstdCompressor extends AirCompressor {
    /** For {@code ServiceLoader}. */
    public ZstdCompressor() {
        super(ZSTD, "zstd", io.airlift.compress.zstd.ZstdCompressor::new, ZstdDecompressor::new);
    }

    /**
     * A frame that states its content size above {@code maxOut} is refused before decompressing: aircompressor
     * returns 0 for such a frame given no room at all, instead of failing.
     */
    @Override
    void checkDeclared(byte[] in, int inOffset, int length, int maxOut) {
        long declared;
        try {
            declared = ZstdDecompressor.getDecompressedSize(in, inOffset, length);
        } catch (RuntimeException e) {
            throw new CompressionException("zstd: invalid frame header in " + length + " bytes", e);
        }
        if (declared > maxOut) {
            throw new CompressionException("zstd: input declares " + declared + " bytes, room " + maxOut);
        }
    }
}
