package dev.tether.transport.tcp.internal;

import com.sun.security.auth.module.UnixSystem;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Which users' processes may be at the other end of a Unix domain socket, checked with the peer's credentials as the
 * kernel recorded them when the socket was connected ({@code SO_PEERCRED}): the uid on native epoll, the user on the
 * JDK's NIO (whose user principals compare by uid). Both ends check: the accepting end sees the dialer's process,
 * the dialing end the process that listens. Immutable; used on the I/O thread.
 */
public final class PeerCredentials {
    private final Set<Integer> allowedUids;
    private final Map<UserPrincipal, Integer> allowedUsers = new HashMap<>();

    /**
     * @param allowedUids the uids allowed to connect (at least one)
     * @throws ListenFailedException if the user principals for NIO cannot be looked up
     */
    public PeerCredentials(Set<Integer> allowedUids) {
        this.allowedUids = Set.copyOf(allowedUids);
        UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        for (int uid : allowedUids) {
            try {
                // a name that is no user's is taken as a numeric uid; the principal compares by that uid
                allowedUsers.put(users.lookupPrincipalByName(Integer.toString(uid)), uid);
            } catch (IOException e) {
                throw new ListenFailedException("cannot look up the user of uid " + uid + ": " + e, false, e);
            }
        }
    }

    /** The check {@code unix} asks for: its allowed uids, or this process's own if it names none. */
    public static PeerCredentials of(Settings.UnixSocket unix) {
        Set<Integer> uids = unix.allowedUids();
        return new PeerCredentials(uids.isEmpty() ? Set.of(ownUid()) : uids);
    }

    /** The uid this process runs as. */
    public static int ownUid() {
        return (int) new UnixSystem().getUid();
    }

    /** Null if the process at the other end of {@code channel} runs as an allowed user, else why not. */
    public String refusal(Channel channel) {
        String who;
        try {
            if (channel instanceof EpollDomainSocketChannel epoll) {
                int uid = epoll.peerCredentials().uid();
                if (allowedUids.contains(uid)) return null;
                who = "uid " + uid;
            } else {
                UnixDomainPrincipal peer =
                        channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.SO_PEERCRED));
                if (peer == null) return "the peer's credentials are not available on this socket";
                if (allowedUsers.containsKey(peer.user())) return null;
                who = "user " + peer.user().getName();
            }
        } catch (IOException | ChannelException | UnsupportedOperationException e) {
            return "cannot read the peer's credentials (SO_PEERCRED): " + e;
        }
        return "the process at the other end runs as " + who + ", which is not among the allowed uids "
                + new TreeSet<>(allowedUids) + " (UdsTransport.Builder.allowedUids)";
    }
}
