package dev.tether.codec.jackson;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tether.CodecException;
import dev.tether.TypeRef;
import dev.tether.spi.Codec;
import java.io.IOException;
import java.util.Objects;

/**
 * Typed calls' values as JSON, with Jackson (records, generics through {@link TypeRef}, anything an {@link
 * ObjectMapper} handles). The default mapper ({@link #defaultMapper()}) ignores unknown properties, so a reply type
 * may gain fields without breaking older callers, and refuses trailing content; Jackson's stream limits (nesting
 * depth, string and number length) apply and surface as {@link CodecException}s. Thread-safe; found by {@link
 * java.util.ServiceLoader} with the default mapper, or built with a mapper of the application's ({@code TetherConfig.Builder.codec}).
 */
public final class JacksonCodec implements Codec {
    /** Priority among codecs on the class path. */
    public static final int PRIORITY = 100;

    private final ObjectMapper mapper;

    /** A codec with {@link #defaultMapper()}. */
    public JacksonCodec() {
        this(defaultMapper());
    }

    /** A codec with {@code mapper}, which must not be reconfigured afterwards (Jackson's own rule). */
    public JacksonCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The mapper of {@link #JacksonCodec()}: Jackson's defaults, unknown properties ignored, trailing content refused. */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    @Override
    public String name() {
        return "jackson-json";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public byte[] encode(Object value, TypeRef<?> type) {
        try {
            return mapper.writerFor(javaType(type)).writeValueAsBytes(value);
        } catch (IOException | RuntimeException e) { // the rule: every failure is a CodecException
            throw new CodecException(
                    "cannot encode a " + describe(value) + " as JSON " + type + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T decode(byte[] bytes, TypeRef<T> type) {
        if (bytes.length == 0) return null;
        try {
            return mapper.readValue(bytes, javaType(type));
        } catch (IOException | RuntimeException e) {
            throw new CodecException(
                    "cannot decode " + bytes.length + " bytes of JSON as " + type + ": " + e.getMessage(), e);
        }
    }

    private JavaType javaType(TypeRef<?> type) {
        return mapper.getTypeFactory().constructType(type.type());
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    @Override
    public String toString() {
        return "JacksonCodec[" + name() + "]";
    }
}
