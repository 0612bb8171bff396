package dev.tether.internal.call;

import dev.tether.TypeRef;
import dev.tether.spi.Codec;
import java.nio.charset.StandardCharsets;

/** Strings as UTF-8, null as empty: enough of a codec for tests of typed calls without a codec module. */
public final class Utf8Codec implements Codec {
    @Override
    public String name() {
        return "utf8";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public byte[] encode(Object value, TypeRef<?> type) {
        return value == null ? new byte[0] : value.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <T> T decode(byte[] bytes, TypeRef<T> type) {
        @SuppressWarnings("unchecked")
        T t = bytes.length == 0 ? null : (T) new String(bytes, StandardCharsets.UTF_8);
        return t;
    }
}
