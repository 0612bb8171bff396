package dev.tether.tracing.opentelemetry;

import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Map;

/** Reads propagation fields from a received message's headers. */
final class HeaderCarrier implements TextMapGetter<Map<String, String>> {
    static final HeaderCarrier INSTANCE = new HeaderCarrier();

    private HeaderCarrier() {}

    @Override
    public String get(Map<String, String> headers, String key) {
        return headers == null ? null : headers.get(key);
    }
}
