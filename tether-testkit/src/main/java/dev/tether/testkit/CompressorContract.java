package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CompressionException;
import dev.tether.spi.Compressor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Compressor}: tests for its numbered rules. Subclass it in a test source set and implement
 * {@link #compressor()}, {@link #expectedId()} and {@link #expectedName()}. Random inputs are seeded; the seed is
 * printed and {@code -Dtether.seed=N} replays it.
 */
public abstract class CompressorContract {
    /** For subclasses: one per implementation under test. */
    protected CompressorContract() {}

    /** A new instance of the compressor under test, created as {@link ServiceLoader} would. */
    protected abstract Compressor compressor();

    /** The registry id the codec must have (rule 1). */
    protected abstract int expectedId();

    /** The name the codec must have (rule 1). */
    protected abstract String expectedName();

    private final long seed = Long.getLong("tether.seed", System.nanoTime());

    private Random random() {
        System.out.println(getClass().getSimpleName() + " seed=" + seed + " (replay with -Dtether.seed=" + seed + ")");
        return new Random(seed);
    }

    /** Text-like bytes that compress well, as a JSON payload does. */
    protected static byte[] compressible(int length, Random rnd) {
        String[] words = {
            "{\"order\":", "\"price\":", "12.50,", "\"quantity\":", "\"express\":true,", "\"tags\":[", "]}"
        };
        StringBuilder b = new StringBuilder();
        while (b.length() < length) b.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(100));
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.UTF_8), length);
    }

    private byte[] compress(Compressor c, byte[] x) {
        byte[] out = new byte[c.maxCompressedLength(x.length)];
        int n = c.compress(x, 0, x.length, out, 0, out.length);
        assertThat(n).as("compressed length of %d bytes", x.length).isBetween(0, out.length);
        return Arrays.copyOf(out, n);
    }

    private List<byte[]> inputs(Random rnd) {
        List<byte[]> l = new ArrayList<>();
        l.add(new byte[0]);
        l.add(new byte[] {42});
        l.add(new byte[65_536]); // all zeros: the best case
        for (int len : new int[] {2, 15, 100, 1024, 4096, 70_000, 1 << 20}) {
            l.add(compressible(len, rnd));
            byte[] noise = new byte[len];
            rnd.nextBytes(noise);
            l.add(noise);
        }
        return l;
    }

    // Rule 1

    @Test
    public void rule1_theIdAndNameAreTheRegistrysAndFitAHelloByte() {
        Compressor c = compressor();
        assertThat(c.id()).isEqualTo(expectedId()).isBetween(1, Compressor.MAX_ID);
        assertThat(c.name()).isEqualTo(expectedName()).isEqualTo(c.name().toLowerCase(java.util.Locale.ROOT));
        assertThat(List.of(Compressor.LZ4, Compressor.ZSTD, Compressor.SNAPPY)).containsExactly(1, 2, 3);
    }

    // Rule 2

    @Test
    public void rule2_everyInputRoundTripsIntoExactlyItsOwnLength() {
        Compressor c = compressor();
        for (byte[] x : inputs(random())) {
            byte[] z = compress(c, x);
            byte[] back = new byte[x.length];
            assertThat(c.decompress(z, 0, z.length, back, 0, back.length)).isEqualTo(x.length);
            assertThat(back).as("%d bytes", x.length).isEqualTo(x);
        }
    }

    @Test
    public void rule2_offsetsAreHonouredOnBothSides() {
        Compressor c = compressor();
        byte[] x = compressible(5000, random());
        byte[] in = new byte[x.length + 20];
        System.arraycopy(x, 0, in, 7, x.length);
        byte[] out = new byte[c.maxCompressedLength(x.length) + 30];
        int n = c.compress(in, 7, x.length, out, 11, out.length - 11);
        byte[] back = new byte[x.length + 9];
        assertThat(c.decompress(out, 11, n, back, 4, x.length)).isEqualTo(x.length);
        assertThat(Arrays.copyOfRange(back, 4, 4 + x.length)).isEqualTo(x);
        assertThat(Arrays.copyOfRange(back, 0, 4)).containsOnly(0);
        assertThat(Arrays.copyOfRange(back, 4 + x.length, back.length)).containsOnly(0);
    }

    @Test
    public void rule2_compressibleBytesShrinkToAtMostHalf() {
        Compressor c = compressor();
        byte[] x = compressible(4096, random());
        assertThat(compress(c, x).length).isLessThanOrEqualTo(x.length / 2);
    }

    // Rule 3

    @Test
    public void rule3_compressionStaysWithinItsBoundAndTheRoomGiven() {
        Compressor c = compressor();
        Random rnd = random();
        for (byte[] x : inputs(rnd)) {
            int bound = c.maxCompressedLength(x.length);
            byte[] out = new byte[bound + 64];
            Arrays.fill(out, (byte) 0x5a);
            int n = c.compress(x, 0, x.length, out, 32, bound);
            assertThat(n).isBetween(0, bound);
            for (int i = 0; i < 32; i++) assertThat(out[i]).isEqualTo((byte) 0x5a);
            for (int i = 32 + bound; i < out.length; i++) assertThat(out[i]).isEqualTo((byte) 0x5a);
        }
    }

    // Rule 4

    @Test
    public void rule4_aBombStopsAtTheRoomGivenWithoutWritingBeyondIt() {
        Compressor c = compressor();
        byte[] zeros = new byte[1 << 20];
        byte[] z = compress(c, zeros);
        assertThat(z.length).as("a megabyte of zeros compresses small").isLessThan(64 << 10);
        for (int room : new int[] {0, 1, 1000, (1 << 20) - 1}) {
            byte[] out = new byte[room + 16];
            Arrays.fill(out, (byte) 0x5a);
            assertThatThrownBy(() -> c.decompress(z, 0, z.length, out, 8, room))
                    .as("room %d", room)
                    .isInstanceOf(CompressionException.class)
                    .hasMessageContaining(c.name());
            for (int i = 0; i < 8; i++) assertThat(out[i]).isEqualTo((byte) 0x5a);
            for (int i = 8 + room; i < out.length; i++) assertThat(out[i]).isEqualTo((byte) 0x5a);
        }
    }

    // Rule 5

    @Test
    public void rule5_damagedInputFailsWithCompressionExceptionOrStaysWithinTheRoom() {
        Compressor c = compressor();
        Random rnd = random();
        byte[] x = compressible(4096, rnd);
        byte[] z = compress(c, x);
        byte[] out = new byte[x.length + 8];
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = mutate(z, rnd);
            try {
                int n = c.decompress(bad, 0, bad.length, out, 4, x.length);
                assertThat(n).isBetween(0, x.length);
            } catch (CompressionException expected) {
                assertThat(expected.getMessage()).contains(c.name());
            }
        }
        assertTruncatedDoesNotPassForTheWhole(c, z, x);
    }

    /**
     * Half of a valid input fails, or (rule 5: a block format such as LZ4's cannot always tell that it was cut at a
     * sequence boundary) decompresses to fewer bytes than the whole, which the caller's length check refuses.
     */
    private static void assertTruncatedDoesNotPassForTheWhole(Compressor c, byte[] z, byte[] x) {
        byte[] out = new byte[x.length];
        int n;
        try {
            n = c.decompress(z, 0, z.length / 2, out, 0, x.length);
        } catch (CompressionException expected) {
            assertThat(expected.getMessage()).contains(c.name());
            return;
        }
        assertThat(n).as("bytes decompressed from half of the input").isBetween(0, x.length - 1);
    }

    private static byte[] mutate(byte[] valid, Random rnd) {
        byte[] m = valid.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            case 1 -> m = Arrays.copyOf(m, rnd.nextInt(m.length));
            case 2 -> {
                for (int k = 0; k < 8; k++) m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            }
            default -> {
                m = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(m);
            }
        }
        return m;
    }

    // Rule 6

    @Test
    public void rule6_theInputIsLeftAsItWas() {
        Compressor c = compressor();
        byte[] x = compressible(3000, random());
        byte[] copy = x.clone();
        byte[] z = compress(c, x);
        assertThat(x).isEqualTo(copy);
        byte[] zCopy = z.clone();
        c.decompress(z, 0, z.length, new byte[x.length], 0, x.length);
        assertThat(z).isEqualTo(zCopy);
    }

    // Rule 7

    @Test
    public void rule7_oneInstanceServesManyThreadsAtOnce() throws Exception {
        Compressor c = compressor();
        Random rnd = random();
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 16; i++) inputs.add(compressible(500 + rnd.nextInt(20_000), rnd));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        byte[] x = inputs.get((offset + round) % inputs.size());
                        byte[] z = compress(c, x);
                        byte[] back = new byte[x.length];
                        c.decompress(z, 0, z.length, back, 0, back.length);
                        assertThat(back).isEqualTo(x);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    // Rule 8

    @Test
    public void rule8_serviceLoaderFindsItWithItsNoArgumentConstructor() {
        Compressor c = compressor();
        assertThat(ServiceLoader.load(Compressor.class).stream().map(ServiceLoader.Provider::type))
                .as("listed for ServiceLoader")
                .contains(c.getClass().asSubclass(Compressor.class));
    }
}
