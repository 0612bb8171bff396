/**
 * Compression of message payloads on the wire: LZ4, Zstd and Snappy from aircompressor (pure Java), each a {@code
 * dev.tether.spi.Compressor} found by {@code ServiceLoader}. With this module on the class or module path a node
 * decompresses all three; {@code TetherConfig.Builder.compression} chooses the one it compresses with.
 */
@SuppressWarnings("requires-automatic") // aircompressor 2.0 has no module descriptor
module dev.tether.compression {
    requires transitive dev.tether.core;
    requires aircompressor;

    exports dev.tether.compression;

    provides dev.tether.spi.Compressor with
            dev.tether.compression.Lz4Compressor,
            dev.tether.compression.ZstdCompressor,
            dev.tether.compression.SnappyCompressor;
}
