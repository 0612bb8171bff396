package dev.tether.internal.call;

import dev.tether.CodecException;
import dev.tether.spi.Codec;
import java.util.Comparator;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the codec of typed calls that name none: the preferred one on the class path, looked up once. */
final class Codecs {
    private static final Comparator<Codec> PREFERENCE =
            Comparator.comparingInt(Codec::priority).reversed().thenComparing(Codec::name);

    /** The module that provides the default codec, named when none is found. */
    static final String JACKSON_MODULE = "dev.tether:tether-codec-jackson";

    private Codecs() {}

    private static final class Found {
        static final Optional<Codec> CODEC = find();
    }

    /** {@code explicit}, or the codec found on the class path. */
    static Codec require(Codec explicit) {
        if (explicit != null) return explicit;
        return Found.CODEC.orElseThrow(() -> new CodecException("typed calls need a codec and none is on the class"
                + " path: add " + JACKSON_MODULE + " (Jackson JSON), or give one with"
                + " TetherConfig.Builder.codec(...)"));
    }

    private static Optional<Codec> find() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = Codec.class.getClassLoader();
        return ServiceLoader.load(Codec.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .min(PREFERENCE);
    }
}
