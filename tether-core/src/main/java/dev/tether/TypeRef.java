package dev.tether;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * The full type of a typed call's request or reply, generics included, for a {@link dev.tether.spi.Codec}. For a
 * plain class use {@link #of(Class)}; for a generic type subclass it with the type as argument, which Java keeps at
 * run time: {@code new TypeRef<List<Order>>() {}}. Immutable and thread-safe; equal when the types are equal.
 *
 * @param <T> the type
 */
public abstract class TypeRef<T> {
    private final Type type;

    /**
     * Captures the type argument of the anonymous subclass being created.
     *
     * @throws IllegalArgumentException if the subclass gives no type argument ({@code new TypeRef() {}})
     */
    protected TypeRef() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType p) || p.getRawType() != TypeRef.class) {
            throw new IllegalArgumentException(
                    "a TypeRef needs its type as argument of a direct anonymous subclass: new TypeRef<List<Order>>() {}");
        }
        this.type = p.getActualTypeArguments()[0];
    }

    private TypeRef(Type type) {
        this.type = type;
    }

    /** The type of the plain (non-generic, or raw) class {@code type}. */
    public static <T> TypeRef<T> of(Class<T> type) {
        return new Plain<>(Objects.requireNonNull(type, "type"));
    }

    /** The type as reflection describes it: a {@code Class} or a {@code ParameterizedType}. */
    public final Type type() {
        return type;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof TypeRef<?> other && type.equals(other.type);
    }

    @Override
    public final int hashCode() {
        return type.hashCode();
    }

    @Override
    public final String toString() {
        return type.getTypeName();
    }

    private static final class Plain<T> extends TypeRef<T> {
        Plain(Class<T> type) {
            super(type);
        }
    }
}
