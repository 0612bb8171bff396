package dev.tether.cli;

import dev.tether.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One line of a chat: a message published on {@code channel} by {@code from}, numbered {@code seq} in its publisher's
 * log of the channel (so {@link #key} names it once however often it is delivered), written at {@code at} (epoch
 * milliseconds, by the publisher's clock). On the wire a chat message is its time in decimal, a space and the text, in
 * UTF-8; a payload in any other form (published by another program) is shown whole, with the time it arrived.
 */
record ChatLine(String channel, String from, long seq, long at, String text) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** The payload a chat publishes for {@code text} at {@code at}. */
    static byte[] payload(long at, String text) {
        return (at + " " + text).getBytes(StandardCharsets.UTF_8);
    }

    /** The line delivery {@code d} on {@code channel} carries, received at {@code now}. */
    static ChatLine of(String channel, Delivery d, long now) {
        String s = new String(d.payloadBytes(), StandardCharsets.UTF_8);
        int space = s.indexOf(' ');
        long at = now;
        String text = s;
        if (space > 0 && space <= 19 && s.substring(0, space).chars().allMatch(Character::isDigit)) {
            try {
                at = Long.parseLong(s.substring(0, space));
                text = s.substring(space + 1);
            } catch (NumberFormatException e) {
                at = now; // more digits than a long holds: not a chat message's time, shown whole
            }
        }
        return new ChatLine(channel, d.from().value(), d.seq(), at, text);
    }

    /** What names this message once: its channel, publisher and number in the publisher's log. */
    String key() {
        return channel + "/" + from + "/" + seq;
    }

    /** For a terminal: {@code 12:01:02 #general bob: hello}, control characters of the text made visible. */
    String format(ZoneId zone) {
        return TIME.format(Instant.ofEpochMilli(at).atZone(zone)) + " #" + channel + " " + from + ": "
                + printable(text);
    }

    /** For the chat page. */
    String json() {
        return Json.object()
                .put("type", "message")
                .put("key", key())
                .put("channel", channel)
                .put("from", from)
                .put("seq", seq)
                .put("at", at)
                .put("text", text)
                .toString();
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) b.append(String.format("\\u%04x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
