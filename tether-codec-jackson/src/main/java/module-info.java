/**
 * The default codec of typed calls: Jackson JSON. Found by {@code ServiceLoader} as a {@code Codec}. Applications
 * on the module path open the packages of their request and reply types to {@code com.fasterxml.jackson.databind}.
 */
module dev.tether.codec.jackson {
    requires transitive dev.tether.core;
    requires transitive com.fasterxml.jackson.databind;

    exports dev.tether.codec.jackson;

    provides dev.tether.spi.Codec with
            dev.tether.codec.jackson.JacksonCodec;
}
