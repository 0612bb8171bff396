package dev.tether.compression;

import dev.tether.spi.Compressor;
import dev.tether.testkit.CompressorContract;

class Lz4CompressorContractTest extends CompressorContract {
    @Override
    protected Compressor compressor() {
        return new Lz4Compressor();
    }

    @Override
    protected int expectedId() {
        return Compressor.LZ4;
    }

    @Override
    protected String expectedName() {
        return "lz4";
    }
}
