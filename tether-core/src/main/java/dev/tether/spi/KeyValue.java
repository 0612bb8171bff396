package dev.tether.spi;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An entry of a store's key-value area (see {@link Store}, rules 11-15): a value under a key in a namespace, with an
 * optional expiry time. Immutable; the value array is copied in and out.
 *
 * <p>Bounds, checked here so a bad entry fails where it is made ({@link IllegalArgumentException}), never in a
 * commit: the namespace is 1 to 64 characters from {@code [A-Za-z0-9._-]}; the key 1 to {@value #MAX_KEY_CHARS}
 * printable ASCII characters ({@code '!'} to {@code '~'}, so that every store orders keys alike); the value at most
 * {@value #MAX_VALUE_BYTES} bytes (empty allowed); the expiry 0 (never) or a positive epoch millisecond.
 *
 * @param namespace the namespace, which keeps users of the area apart (Tether uses names starting with {@code _})
 * @param key the key within the namespace
 * @param value the value (a copy)
 * @param expiresAtMillis when the entry expires, epoch milliseconds; 0 for never
 */
public record KeyValue(String namespace, String key, byte[] value, long expiresAtMillis) {
    /** The longest key, in characters (and bytes: keys are ASCII). */
    public static final int MAX_KEY_CHARS = 512;

    /** The largest value, in bytes. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /**
     * The order of {@link Store#readNewestKeys}: by expiry time, an entry that never expires (0) after every other;
     * entries with the same expiry by key ({@link String#compareTo}). For a user that gives every entry the same
     * lifetime, it is the order in which the entries were written, oldest first.
     */
    public static final Comparator<KeyValue> EXPIRY_ORDER = Comparator.comparingLong(
                    (KeyValue kv) -> kv.expiresAtMillis == 0 ? Long.MAX_VALUE : kv.expiresAtMillis)
            .thenComparing(kv -> kv.expiresAtMillis == 0)
            .thenComparing(KeyValue::key);

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Checks the bounds and copies the value.
     *
     * @throws IllegalArgumentException if a bound is broken, naming it
     */
    public KeyValue {
        checkNamespace(namespace);
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + namespace + "/" + key + " has " + value.length
                    + " bytes, more than the " + MAX_VALUE_BYTES + " a key-value entry may hold");
        }
        if (expiresAtMillis < 0) {
            throw new IllegalArgumentException("expiresAtMillis must be 0 (never) or positive, was " + expiresAtMillis);
        }
        value = value.clone();
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Whether the entry has expired at {@code nowMillis}: it has an expiry and that is not after {@code nowMillis}. */
    public boolean expiredAt(long nowMillis) {
        return expiresAtMillis != 0 && expiresAtMillis <= nowMillis;
    }

    /**
     * Checks a namespace.
     *
     * @throws IllegalArgumentException if it is not 1 to 64 characters from {@code [A-Za-z0-9._-]}
     */
    public static String checkNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException(
                    "invalid key-value namespace '" + namespace + "': 1 to 64 characters from [A-Za-z0-9._-]");
        }
        return namespace;
    }

    /**
     * Checks a key.
     *
     * @throws IllegalArgumentException if it is not 1 to {@value #MAX_KEY_CHARS} printable ASCII characters
     */
    public static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException(
                    "invalid key of " + key.length() + " characters: 1 to " + MAX_KEY_CHARS + " allowed");
        }
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new IllegalArgumentException("invalid key: character " + i + " is U+"
                        + HexFormat.of().toHexDigits(ch) + "; keys are printable ASCII, '!' to '~'");
            }
        }
        return key;
    }

    /** Equal when namespace, key, expiry and the value's bytes are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv
                && namespace.equals(kv.namespace)
                && key.equals(kv.key)
                && expiresAtMillis == kv.expiresAtMillis
                && Arrays.equals(value, kv.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, key, expiresAtMillis, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "KeyValue[" + namespace + "/" + key + ", " + value.length + " bytes, expiresAt=" + expiresAtMillis + "]";
    }
}
