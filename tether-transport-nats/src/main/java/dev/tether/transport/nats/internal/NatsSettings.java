package dev.tether.transport.nats.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The validated settings of a NATS transport, as the public builder collected them. Immutable apart from the
 * secret arrays, which the transport never modifies.
 *
 * @param token a NATS authentication token, or null
 * @param user a user name for user/password authentication, or null
 * @param password the password belonging to {@code user}, or null
 * @param credentials a NATS credentials (.creds) file, or null
 * @param nkey a file holding this node's NATS user nkey seed, or null
 * @param identityEnforced whether the deployment declares per-node permissions (peers are then admitted with proof
 *     IDENTITY once {@link IdentityCheck} confirms that the server restricts this node)
 * @param sslContext the TLS context to connect with, or null for plain TCP (unless a URL says tls://)
 */
public record NatsSettings(
        List<String> servers,
        String prefix,
        char[] token,
        String user,
        char[] password,
        Path credentials,
        Path nkey,
        boolean identityEnforced,
        SSLContext sslContext,
        Duration announceInterval,
        Duration peerTimeout,
        int maxFrameBytes,
        Duration reconnectWait,
        Duration pingInterval,
        Duration connectionTimeout) {

    public NatsSettings {
        servers = List.copyOf(servers);
    }
}
