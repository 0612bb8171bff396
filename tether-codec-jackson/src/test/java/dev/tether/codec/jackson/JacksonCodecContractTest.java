package dev.tether.codec.jackson;

import dev.tether.spi.Codec;
import dev.tether.testkit.CodecContract;
import java.nio.charset.StandardCharsets;

class JacksonCodecContractTest extends CodecContract {
    @Override
    protected Codec codec() {
        return new JacksonCodec();
    }

    @Override
    protected byte[] malformed() {
        return "{\"id\": \"o-1\", quantity: }".getBytes(StandardCharsets.UTF_8);
    }
}
