package dev.tether.internal.engine;

import dev.tether.CompressionException;
import dev.tether.spi.Compressor;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A real {@link Compressor} from the JDK (raw DEFLATE) under a free registry id, so the engine's compression is tested
 * without the codec module. Bounded as rule 4 asks: it inflates at most the room given and fails if more remains.
 */
final class DeflateForTests implements Compressor {
    static final int ID = 8;

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "deflate-test";
    }

    @Override
    public int maxCompressedLength(int length) {
        return length + length / 1000 + 64;
    }

    @Override
    public int compress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut) {
        Deflater d = new Deflater(Deflater.BEST_SPEED, true);
        try {
            d.setInput(in, inOffset, length);
            d.finish();
            int n = d.deflate(out, outOffset, maxOut);
            if (!d.finished()) throw new CompressionException(name() + ": output exceeds " + maxOut);
            return n;
        } finally {
            d.end();
        }
    }

    @Override
    public int decompress(byte[] in, int inOffset, int length, byte[] out, int outOffset, int maxOut) {
        Inflater i = new Inflater(true);
        try {
            i.setInput(in, inOffset, length);
            int n = i.inflate(out, outOffset, maxOut);
            if (!i.finished()) {
                boolean more = n == maxOut && i.inflate(new byte[1]) > 0;
                throw new CompressionException(
                        name() + (more ? ": output exceeds " + maxOut + " bytes" : ": truncated input"));
            }
            return n;
        } catch (DataFormatException e) {
            throw new CompressionException(name() + ": " + e.getMessage(), e);
        } finally {
            i.end();
        }
    }
}
