package dev.tether.bus;

/**
 * What a message is, as a routing rule sees it at the receiving node ({@link Match#kind}; docs/MESSAGING.md,
 * "Routing rules").
 */
public enum MessageKind {
    /** A plain send (to the node or to an endpoint), or a tell (a call that expects no reply). */
    DIRECT,
    /** A call that expects a reply: {@code sync} or {@code request}. */
    REQUEST,
    /** A reply to a call. */
    RESPONSE,
    /** A message published on a channel. */
    PUBLISH,
    /** A message of the broadcast channel ({@code Channels.BROADCAST}). */
    BROADCAST
}
