package dev.tether.compression;

import dev.tether.CompressionException;
import dev.tether.spi.Compressor;
import io.airlift.compress.Decompressor;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link Compressor} backed by an aircompressor codec. aircompressor's compressors keep a hash table per instance and
 * its Zstd decompressor a workspace, so each thread gets instances of its own (rule 7); every failure of theirs,
 * whatever its type, becomes a {@link CompressionException} naming the codec (rule 5).
 */
abstract class AirCompressor implements Compressor {
    private final int id;
    private final String name;
    private final ThreadLocal<io.airlift.compress.Compressor> compressors;
    private final ThreadLocal<Decompressor> decompressors;

    AirCompressor(
            int id,
            String name,
            Supplier<io.airlift.compress.Compressor> compressor,
            Supplier<Decompressor> decompressor) {
        this.id = id;
        this.name = name;
        this.compressors = ThreadLocal.withInitial(compressor);
        this.decompressors = ThreadLocal.withInitial(decompressor);
    }

    @Override
    public final int id() {
        return id;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int maxCompressedLength(int length) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        return compressors.get().maxCompressedLength(length);
    }

    @Override
    public final int compress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut) {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        Objects.checkFromIndexSize(outOffset, maxOut, out.length);
        try {
            return compressors.get().compress(in, inOffset, length, out, outOffset, maxOut);
        } catch (RuntimeException e) {
            throw new CompressionException(name + ": cannot compress " + length + " bytes into " + maxOut, e);
        }
    }

    @Override
    public final int decompress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut) {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        Objects.checkFromIndexSize(outOffset, maxOut, out.length);
        checkDeclared(in, inOffset, length, maxOut);
        int n;
        try {
            n = decompressors.get().decompress(in, inOffset, length, out, outOffset, maxOut);
        } catch (RuntimeException e) {
            throw new CompressionException(
                    name + ": invalid input of " + length + " bytes for at most " + maxOut + ": " + e.getMessage(), e);
        }
        if (n < 0 || n > maxOut)
            throw new CompressionException(name + ": decompressed " + n + " bytes, room " + maxOut);
        return n;
    }

    /**
     * For formats whose input states its decompressed size: refuses one above {@code maxOut} before decompressing,
     * with a message that says so. Others check while they decompress.
     */
    void checkDeclared(byte[] in, int inOffset, int length, int maxOut) {}

    @Override
    public String toString() {
        return name;
    }
}
