package dev.tether.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Shows payloads to people and scripts: UTF-8 text as is, anything else as base64, never mangled. */
final class Payloads {
    private Payloads() {}

    /** The payload as text if it is valid UTF-8, otherwise null. */
    static String utf8OrNull(byte[] payload) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Text for a terminal line: the UTF-8 text, or {@code base64:...}. */
    static String forDisplay(byte[] payload) {
        String text = utf8OrNull(payload);
        return text != null ? text : "base64:" + Base64.getEncoder().encodeToString(payload);
    }

    /**
     * As {@link #forDisplay}, on one line that cannot act on the terminal: control characters (C0, DEL, C1, so also
     * line breaks and the escape sequences that retitle or clear a terminal) and the Unicode line and paragraph
     * separators are shown as {@code \\uXXXX}. A peer's payload could otherwise forge lines of the output.
     */
    static String forLine(byte[] payload) {
        String shown = forDisplay(payload);
        StringBuilder b = new StringBuilder(shown.length());
        shown.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }

    /** Adds {@code payload} (text) or {@code payloadBase64} to a JSON line. */
    static Json addTo(Json json, byte[] payload) {
        String text = utf8OrNull(payload);
        return text != null
                ? json.put("payload", text)
                : json.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    }
}
