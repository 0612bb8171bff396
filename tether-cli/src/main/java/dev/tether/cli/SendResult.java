package dev.tether.cli;

import java.util.Locale;

/**
 * What became of one message of a {@code tether send} request: the line the admin endpoint answers with, and
 * what the CLI prints for it. Lines, one per message in the order the messages were given:
 *
 * <ul>
 *   <li>{@code ok ID OUTCOME}: done as asked; {@code ID} is {@code peer/lane#seq} ({@code -} with {@code
 *       --wait none}, which does not wait for the number), {@code OUTCOME} is {@code QUEUED}, {@code ACCEPTED}
 *       (stored) or the receiver's outcome ({@code PROCESSED}, {@code EXPIRED}, {@code DEAD_LETTERED});
 *   <li>{@code refused REASON}: not stored and never delivered (bad input, node full or closing, store failed);
 *   <li>{@code stored ID REASON}: stored, so it will be delivered, but what was waited for did not happen in
 *       time;
 *   <li>{@code unknown REASON}: no answer from the store in time: it may or may not have been stored.
 * </ul>
 *
 * @param index the message's position in the request (or in the whole {@code tether send}), from 1
 * @param id {@code peer/lane#seq}, or {@code -}
 */
record SendResult(long index, Kind kind, String id, String outcome, String reason) {
    enum Kind {
        OK,
        REFUSED,
        STORED,
        UNKNOWN
    }

    static SendResult ok(long index, String id, String outcome) {
        return new SendResult(index, Kind.OK, id, outcome, "");
    }

    static SendResult refused(long index, String reason) {
        return new SendResult(index, Kind.REFUSED, "-", "", reason);
    }

    static SendResult stored(long index, String id, String reason) {
        return new SendResult(index, Kind.STORED, id, "", reason);
    }

    static SendResult unknown(long index, String reason) {
        return new SendResult(index, Kind.UNKNOWN, "-", "", reason);
    }

    /** The admin endpoint's line (without the line end); line breaks in a reason become spaces. */
    String toLine() {
        String r = reason.replace('\n', ' ').replace('\r', ' ');
        return switch (kind) {
            case OK -> "ok " + id + " " + outcome;
            case REFUSED -> "refused " + r;
            case STORED -> "stored " + id + " " + r;
            case UNKNOWN -> "unknown " + r;
        };
    }

    /** Parses a {@link #toLine} line of message {@code index}. */
    static SendResult parse(long index, String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String rest = space < 0 ? "" : line.substring(space + 1);
        int second = rest.indexOf(' ');
        return switch (word) {
            case "ok" ->
                second < 0 ? ok(index, rest, "") : ok(index, rest.substring(0, second), rest.substring(second + 1));
            case "refused" -> refused(index, rest);
            case "stored" ->
                second < 0
                        ? stored(index, rest, "")
                        : stored(index, rest.substring(0, second), rest.substring(second + 1));
            case "unknown" -> unknown(index, rest);
            default -> throw new IllegalArgumentException("not a send result line: '" + line + "'");
        };
    }

    /** One JSON object: {@code message} (the index), {@code result}, and {@code to}/{@code lane}/{@code seq}. */
    String toJson() {
        Json j = Json.object().put("message", index).put("result", kind.name().toLowerCase(Locale.ROOT));
        int slash = id.indexOf('/');
        int hash = id.lastIndexOf('#');
        if (slash > 0 && hash > slash) {
            j.put("to", id.substring(0, slash))
                    .put("lane", id.substring(slash + 1, hash))
                    .put("seq", Long.parseLong(id.substring(hash + 1)));
        }
        if (!outcome.isEmpty()) j.put("outcome", outcome);
        if (!reason.isEmpty()) j.put("error", reason);
        return j.toString();
    }

    /** The text the CLI prints: on stdout for {@link Kind#OK}, on stderr (after "tether send: ") otherwise. */
    String toText() {
        return switch (kind) {
            case OK -> (id.equals("-") ? "" : id + " ") + outcome.toLowerCase(Locale.ROOT);
            case REFUSED -> "message " + index + " not sent: " + reason;
            case STORED -> "message " + index + " stored as " + id + ", but " + reason;
            case UNKNOWN -> "message " + index + ": outcome unknown: " + reason;
        };
    }
}
