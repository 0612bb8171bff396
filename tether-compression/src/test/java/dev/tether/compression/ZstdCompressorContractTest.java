package dev.tether.compression;

import dev.tether.spi.Compressor;
import dev.tether.testkit.CompressorContract;

class ZstdCompressorContractTest extends CompressorContract {
    @Override
    protected Compressor compressor() {
        return new ZstdCompressor();
    }

    @Override
    protected int expectedId() {
        return Compressor.ZSTD;
    }

    @Override
    protected String expectedName() {
        return "zstd";
    }
}
