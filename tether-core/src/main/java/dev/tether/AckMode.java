package dev.tether;

/** Who acknowledges a delivery handed to a {@link MessageHandler}. */
public enum AckMode {
    /** Tether acknowledges when the handler returns normally and nacks when it throws. */
    AUTO,
    /** The application calls {@link Delivery#ack()} or {@link Delivery#nack()}, on any thread, at any time. */
    MANUAL
}
