package dev.tether.cli;

import java.util.Map;

/** Writes one-line JSON objects without a library: the CLI only ever emits flat records and small lists. */
final class Json {
    private final StringBuilder out = new StringBuilder("{");
    private boolean first = true;

    static Json object() {
        return new Json();
    }

    Json put(String key, String value) {
        key(key);
        if (value == null) out.append("null");
        else quote(out, value);
        return this;
    }

    Json put(String key, long value) {
        key(key).append(value);
        return this;
    }

    Json put(String key, boolean value) {
        key(key).append(value);
        return this;
    }

    Json put(String key, java.util.List<String> values) {
        key(key).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.append(',');
            quote(out, values.get(i));
        }
        out.append(']');
        return this;
    }

    Json put(String key, Map<String, String> map) {
        key(key).append('{');
        boolean firstEntry = true;
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!firstEntry) out.append(',');
            firstEntry = false;
            quote(out, e.getKey());
            out.append(':');
            quote(out, e.getValue());
        }
        out.append('}');
        return this;
    }

    /** A peer's advertised channels as {@code name:ROLE} entries, as the topology lists a node's own. */
    static java.util.List<String> channels(Map<String, dev.tether.ChannelRole> roles) {
        java.util.List<String> out = new java.util.ArrayList<>(roles.size());
        roles.forEach((channel, role) -> out.add(channel + ":" + role.name()));
        return out;
    }

    /** Adds {@code key} with already-encoded JSON (an array or object built elsewhere). */
    Json putRaw(String key, String json) {
        key(key).append(json);
        return this;
    }

    private StringBuilder key(String key) {
        if (!first) out.append(',');
        first = false;
        quote(out, key);
        return out.append(':');
    }

    @Override
    public String toString() {
        return out + "}";
    }

    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
