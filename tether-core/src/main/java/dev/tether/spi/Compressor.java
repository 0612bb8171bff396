package dev.tether.spi;

import dev.tether.CompressionException;

/**
 * A compression codec for message payloads on the wire (docs/MESSAGING.md, "Compression"). A node decompresses with
 * every codec found by {@link java.util.ServiceLoader} (a codec module lists its codecs in {@code
 * META-INF/services/dev.tether.spi.Compressor} and {@code provides} them in its module descriptor) and says so in the
 * HELLO of each connection; it compresses with the one {@code TetherConfig.Builder.compression} names, and only for
 * peers whose HELLO lists it. {@code tether-compression} ships LZ4, Zstd and Snappy.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.CompressorContract} checks them.
 *
 * <ol>
 *   <li>Identity: {@link #id()} is the codec's number in Tether's registry, the same in every process and version,
 *       because the wire carries it and the peer decompresses by it: {@link #LZ4} (an LZ4 block), {@link #ZSTD} (a
 *       Zstandard frame), {@link #SNAPPY} (a Snappy block); ids 4-8 are free for later codecs. {@link #name()} is
 *       its lower-case name ({@code lz4}, {@code zstd}, {@code snappy}).
 *   <li>Round trip: for any bytes {@code x} (including none), {@code decompress} of what {@code compress} wrote for
 *       {@code x}, into room for exactly {@code x.length} bytes, writes {@code x} and returns {@code x.length}.
 *   <li>Bounded compression: {@code compress} writes at most {@link #maxCompressedLength}{@code (length)} bytes, all
 *       within {@code out[outOffset, outOffset + maxOut)}, and returns how many; {@code maxOut} smaller than that
 *       bound may fail with {@link CompressionException}.
 *   <li>Bounded decompression: {@code decompress} never writes outside {@code out[outOffset, outOffset + maxOut)} and
 *       never allocates in proportion to what its input claims; input that needs more room than {@code maxOut} fails
 *       with {@link CompressionException}. So a decompression bomb stops at the caller's limit.
 *   <li>Failures are {@link CompressionException}s and nothing else: malformed, truncated or otherwise damaged input
 *       fails (or, where the format cannot tell, decompresses to some bytes within {@code maxOut}: the caller checks
 *       the length and the message checksum); never another exception, never a hang, never a crash of the JVM.
 *   <li>No side effects: neither method changes its input, keeps a reference to either array, does I/O or blocks.
 *   <li>Thread-safe: any number of threads may compress and decompress at once with one instance.
 *   <li>A compressor listed for {@code ServiceLoader} has a public no-argument constructor.
 * </ol>
 */
public interface Compressor {
    /** Registry id of LZ4 (block format). */
    int LZ4 = 1;
    /** Registry id of Zstandard (frame format). */
    int ZSTD = 2;
    /** Registry id of Snappy (block format). */
    int SNAPPY = 3;
    /** The highest id a codec may have: HELLO states codecs as the 8 bits of one byte. */
    int MAX_ID = 8;

    /** This codec's registry id, 1-{@link #MAX_ID} (rule 1). */
    int id();

    /** This codec's lower-case name, as {@code TetherConfig.Builder.compression} takes it (rule 1). */
    String name();

    /** The most bytes {@link #compress} writes for {@code length} input bytes (rule 3). */
    int maxCompressedLength(int length);

    /**
     * Compresses {@code in[inOffset, inOffset + length)} into {@code out} from {@code outOffset}, writing at most
     * {@code maxOut} bytes; returns how many it wrote.
     *
     * @throws CompressionException if it cannot (rule 3)
     */
    int compress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut);

    /**
     * Decompresses {@code in[inOffset, inOffset + length)} into {@code out} from {@code outOffset}, writing at most
     * {@code maxOut} bytes; returns how many it wrote.
     *
     * @throws CompressionException if the input is malformed or needs more than {@code maxOut} bytes (rules 4, 5)
     */
    int decompress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut);
}
