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

    /** Adds {@code payload} (text) or {@code payloadBase64} to a JSON line. */
    static Json addTo(Json json, byte[] payload) {
        String text = utf8OrNull(payload);
        return text != null
                ? json.put("payload", text)
                : json.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
    }
}
