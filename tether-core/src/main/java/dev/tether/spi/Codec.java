package dev.tether.spi;

import dev.tether.CodecException;
import dev.tether.TypeRef;

/**
 * Turns the values of typed calls into bytes and back ({@code Call.request(Object, Class)}, {@code
 * TetherNode.handle(String, Class, TypedHandler)}). Codecs are found with {@link java.util.ServiceLoader}: a codec
 * module lists its codec in {@code META-INF/services/dev.tether.spi.Codec} (and {@code provides} it in its module
 * descriptor); when several are on the class path the one with the highest {@link #priority()} wins (ties: the
 * smallest {@link #name()}). {@code TetherConfig.Builder.codec} chooses one explicitly. The caller and
 * the called handler must use codecs that understand each other's bytes.
 *
 * <p>Implementations MUST follow these rules; {@code dev.tether.testkit.CodecContract} checks them.
 *
 * <ol>
 *   <li>Round trip: {@code decode(encode(v, t), t)} equals {@code v} for records, strings, numbers, booleans, and
 *       lists and maps of them, for the full generic type {@code t} (a {@code List<Order>} decodes to a list of
 *       {@code Order}s, not of maps).
 *   <li>Null: {@code encode(null, t)} gives bytes that decode to null, and an empty array decodes to null for every
 *       type (an empty reply payload is a null reply).
 *   <li>Failures are {@link CodecException}s and nothing else: malformed, truncated or trailing bytes, a value of
 *       another type than asked for, a value that cannot be encoded (an accessor that throws, say), limits exceeded.
 *       The message names the type. {@code decode} never returns a partial value.
 *   <li>No side effects: {@code decode} neither keeps nor changes its array; {@code encode} returns a new array each
 *       time; neither does I/O nor blocks.
 *   <li>Thread-safe: any number of threads may encode and decode at once with one instance.
 *   <li>A codec listed for {@code ServiceLoader} has a public no-argument constructor.
 * </ol>
 */
public interface Codec {
    /** A short name for messages and logs, such as {@code "jackson-json"}. */
    String name();

    /** Higher wins when several codecs are on the class path. */
    int priority();

    /**
     * The bytes of {@code value}, described by {@code type}.
     *
     * @throws CodecException if it cannot be encoded
     */
    byte[] encode(Object value, TypeRef<?> type);

    /**
     * The value of type {@code type} that {@code bytes} hold; null for an empty array.
     *
     * @throws CodecException if they do not hold a value of that type
     */
    <T> T decode(byte[] bytes, TypeRef<T> type);
}
