package dev.tether;

/**
 * Receives deliveries pushed by a node. Within one stream (sender, lane) deliveries are in send order and
 * the next message of a stream is handed over only after the previous one was acknowledged (head-of-line).
 * In {@link AckMode#AUTO} calls for one stream are therefore sequential; in {@link AckMode#MANUAL} the next
 * call may start as soon as {@link Delivery#ack()} is called, even before the current call returns. Different streams are handled concurrently on the node's handler threads, so a slow
 * handler for one stream does not hold back another.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one delivery. In {@link AckMode#AUTO} returning acknowledges it and throwing nacks it
     * (it is redelivered per the {@link RetryPolicy}).
     */
    void onMessage(Delivery delivery) throws Exception;
}
