package dev.tether.compression;

import dev.tether.spi.Compressor;
import dev.tether.testkit.CompressorContract;

class SnappyCompressorContractTest extends CompressorContract {
    @Override
    protected Compressor compressor() {
        return new SnappyCompressor();
    }

    @Override
    protected int expectedId() {
        return Compressor.SNAPPY;
    }

    @Override
    protected String expectedName() {
        return "snappy";
    }
}
