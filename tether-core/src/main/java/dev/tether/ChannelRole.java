package dev.tether;

/**
 * What a node does on a channel it joined: {@link #READ} receives what others publish, {@link #WRITE} publishes
 * and receives nothing, {@link #READ_WRITE} does both. Stored with the membership (docs/CHANNELS-DESIGN.md).
 */
public enum ChannelRole {
    /** Receives every message published on the channel after its join; may not publish. */
    READ,
    /** Publishes; receives nothing on the channel. */
    WRITE,
    /** Publishes and receives. */
    READ_WRITE;

    /** Whether this role receives the channel's messages. */
    public boolean reads() {
        return this != WRITE;
    }

    /** Whether this role may publish on the channel. */
    public boolean writes() {
        return this != READ;
    }
}
