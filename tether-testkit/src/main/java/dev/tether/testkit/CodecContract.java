package dev.tether.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CodecException;
import dev.tether.TypeRef;
import dev.tether.spi.Codec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Codec}: tests for its numbered rules. Subclass it in a test source set and implement
 * {@link #codec()}; {@link #malformed()} gives bytes the codec's format cannot read.
 */
public abstract class CodecContract {
    /** For subclasses: one per implementation under test. */
    protected CodecContract() {}

    /** A new instance of the codec under test, created as {@link java.util.ServiceLoader} would. */
    protected abstract Codec codec();

    /** Bytes that are not a value in the codec's format at all (rule 3). */
    protected abstract byte[] malformed();

    /** A record as applications send them. */
    public record Order(String id, int quantity, double price, boolean express, List<String> tags) {}

    /** A record holding records and a map. */
    public record Basket(String owner, List<Order> orders, Map<String, Integer> counts) {}

    /** A record whose accessor throws: it cannot be encoded. */
    public record Broken(String value) {
        @Override
        public String value() {
            throw new IllegalStateException("accessor fails");
        }
    }

    private static final TypeRef<Order> ORDER = TypeRef.of(Order.class);
    private static final TypeRef<List<Order>> ORDERS = new TypeRef<List<Order>>() {};
    private static final TypeRef<Map<String, List<Order>>> BY_CUSTOMER = new TypeRef<Map<String, List<Order>>>() {};

    private static Order order(int i) {
        return new Order("o-" + i, i, i * 1.25, i % 2 == 0, List.of("t" + i, "é€😀"));
    }

    private <T> T roundTrip(T value, TypeRef<T> type) {
        return codec().decode(codec().encode(value, type), type);
    }

    // Rule 1

    @Test
    void rule1RecordsRoundTrip() {
        assertThat(roundTrip(order(7), ORDER)).isEqualTo(order(7));
        Basket b = new Basket("ann", List.of(order(1), order(2)), Map.of("a", 1, "b", 2));
        assertThat(roundTrip(b, TypeRef.of(Basket.class))).isEqualTo(b);
    }

    @Test
    void rule1GenericTypesDecodeToTheirElementTypes() {
        List<Order> orders = List.of(order(1), order(2), order(3));
        List<Order> back = roundTrip(orders, ORDERS);
        assertThat(back).isEqualTo(orders);
        assertThat(back.get(0)).isInstanceOf(Order.class);
        Map<String, List<Order>> byCustomer = Map.of("ann", orders, "bob", List.of());
        Map<String, List<Order>> mapBack = roundTrip(byCustomer, BY_CUSTOMER);
        assertThat(mapBack).isEqualTo(byCustomer);
        assertThat(mapBack.get("ann").get(2)).isInstanceOf(Order.class);
    }

    @Test
    void rule1ScalarsRoundTrip() {
        assertThat(roundTrip("text with \" and \\ and é", TypeRef.of(String.class)))
                .isEqualTo("text with \" and \\ and é");
        assertThat(roundTrip(Long.MAX_VALUE, TypeRef.of(Long.class))).isEqualTo(Long.MAX_VALUE);
        assertThat(roundTrip(-0.5, TypeRef.of(Double.class))).isEqualTo(-0.5);
        assertThat(roundTrip(Boolean.TRUE, TypeRef.of(Boolean.class))).isTrue();
        assertThat(roundTrip("", TypeRef.of(String.class))).isEmpty();
    }

    @Test
    void rule1EncodingWithTheRuntimeTypeDecodesAsTheDeclaredType() {
        byte[] bytes = codec().encode(order(3), TypeRef.of(Object.class));
        assertThat(codec().decode(bytes, ORDER)).isEqualTo(order(3));
    }

    // Rule 2

    @Test
    void rule2NullRoundTripsAndEmptyBytesAreNull() {
        assertThat(roundTrip(null, ORDER)).isNull();
        assertThat(roundTrip(null, ORDERS)).isNull();
        assertThat(codec().decode(new byte[0], ORDER)).isNull();
        assertThat(codec().decode(new byte[0], TypeRef.of(String.class))).isNull();
        assertThat(codec().decode(new byte[0], ORDERS)).isNull();
    }

    // Rule 3

    @Test
    void rule3MalformedBytesFailWithCodecException() {
        assertThatThrownBy(() -> codec().decode(malformed(), ORDER))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Order.class.getSimpleName());
    }

    @Test
    void rule3TruncatedAndTrailingBytesFail() {
        byte[] full = codec().encode(order(5), ORDER);
        byte[] truncated = Arrays.copyOf(full, full.length - 1);
        assertThatThrownBy(() -> codec().decode(truncated, ORDER)).isInstanceOf(CodecException.class);
        byte[] trailing = Arrays.copyOf(full, full.length * 2);
        System.arraycopy(full, 0, trailing, full.length, full.length);
        assertThatThrownBy(() -> codec().decode(trailing, ORDER)).isInstanceOf(CodecException.class);
    }

    @Test
    void rule3AValueOfAnotherTypeFails() {
        byte[] text = codec().encode("just a string", TypeRef.of(String.class));
        assertThatThrownBy(() -> codec().decode(text, ORDER)).isInstanceOf(CodecException.class);
        byte[] list = codec().encode(List.of(order(1)), ORDERS);
        assertThatThrownBy(() -> codec().decode(list, ORDER)).isInstanceOf(CodecException.class);
        byte[] one = codec().encode(order(1), ORDER);
        assertThatThrownBy(() -> codec().decode(one, TypeRef.of(Long.class))).isInstanceOf(CodecException.class);
    }

    @Test
    void rule3AValueThatCannotBeEncodedFails() {
        assertThatThrownBy(() -> codec().encode(new Broken("x"), TypeRef.of(Broken.class)))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec().encode(new Broken("x"), TypeRef.of(Object.class)))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void rule3RandomBytesNeverThrowAnythingElse() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[1 + random.nextInt(64)];
            random.nextBytes(junk);
            try {
                codec().decode(junk, ORDER);
            } catch (CodecException expected) {
                assertThat(expected.getMessage()).isNotEmpty();
            }
        }
    }

    // Rule 4

    @Test
    void rule4DecodeKeepsItsInputAndEncodeGivesNewArrays() {
        byte[] bytes = codec().encode(order(9), ORDER);
        byte[] copy = bytes.clone();
        Order decoded = codec().decode(bytes, ORDER);
        assertThat(bytes).isEqualTo(copy);
        Arrays.fill(bytes, (byte) 0);
        assertThat(decoded).isEqualTo(order(9));
        byte[] again = codec().encode(order(9), ORDER);
        assertThat(again).isNotSameAs(codec().encode(order(9), ORDER)).isEqualTo(copy);
    }

    // Rule 5

    @Test
    void rule5OneInstanceServesManyThreadsAtOnce() throws Exception {
        Codec shared = codec();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 10_000;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        List<Order> v = List.of(order(base + i), order(base + i + 1));
                        if (!v.equals(shared.decode(shared.encode(v, ORDERS), ORDERS))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results)
                assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    // Rule 6

    @Test
    void rule6APublicNoArgumentConstructorMakesAWorkingCodec() throws Exception {
        Codec fresh = codec().getClass().getConstructor().newInstance();
        assertThat(fresh.name()).isNotBlank();
        assertThat(fresh.decode(fresh.encode(order(1), ORDER), ORDER)).isEqualTo(order(1));
    }
}
