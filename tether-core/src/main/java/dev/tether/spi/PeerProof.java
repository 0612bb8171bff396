package dev.tether.spi;

/**
 * What a transport established about the peer on a connection, when it asks the node whether to admit the
 * peer ({@link Transport.Listener#admit}). The node admits a peer it was not configured with only on a proof
 * other than {@link #NONE}; see {@code TetherConfig.Builder#allowedPeers}.
 */
public enum PeerProof {
    /**
     * Nothing proves the id: it is the peer's own claim (plain TCP; TLS without a client certificate on the
     * accepting side).
     */
    NONE,
    /**
     * The transport proved that the peer is a member of the cluster (a pre-shared key, the credentials of a NATS
     * account that lets its users publish as any node); the id is the peer's claim within it.
     */
    MEMBERSHIP,
    /**
     * The transport proved the id itself (a TLS certificate naming it; NATS servers that let each node publish only
     * under its own id; a network inside one process).
     */
    IDENTITY
}
