package dev.tether.cli;

import dev.tether.InvalidConfigException;
import dev.tether.spi.Discovery;
import dev.tether.transport.CompositeTransport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns {@code --transports tcp,nats} (any of tcp, uds, nats, in order of preference) into a {@link
 * CompositeTransport} whose members are built from their own flags (docs/COMPOSITE.md). A flag of a transport the
 * list leaves out is a usage error, as it is for a single transport.
 */
final class CompositeOptions {
    private static final List<String> KINDS = List.of("tcp", "uds", "nats");

    private CompositeOptions() {}

    static TransportFactory.Choice transport(NodeOptions o) {
        List<String> kinds = kinds(o);
        refuseFlagsOfUnlisted(o, kinds);
        List<TransportFactory.Choice> members = new ArrayList<>();
        for (String kind : kinds) members.add(member(o, kind));
        if (members.size() == 1) return members.get(0);
        CompositeTransport.Builder b = CompositeTransport.builder();
        try {
            for (TransportFactory.Choice m : members) b.member(m.transport());
            if (o.switchBackAfter != null) b.switchBackAfter(o.switchBackAfter);
        } catch (InvalidConfigException e) {
            throw o.invalid("--transports: " + e.getMessage());
        }
        CompositeTransport composite = b.build();
        // Only TCP discovers (member lists from --seed); its addresses go to every member, and NATS ignores them.
        Discovery discovery = members.stream()
                .map(TransportFactory.Choice::discovery)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
        return new TransportFactory.Choice(
                composite,
                discovery,
                () -> "composite "
                        + members.stream()
                                .map(TransportFactory.Choice::description)
                                .collect(Collectors.joining(" > ")),
                () -> members.stream()
                        .map(TransportFactory.Choice::connectivity)
                        .filter(Objects::nonNull)
                        .findFirst()
                        .orElse(null));
    }

    static List<String> kinds(NodeOptions o) {
        Set<String> kinds = new LinkedHashSet<>();
        for (String given : o.transports) {
            String kind = given.strip().toLowerCase(Locale.ROOT);
            if (!KINDS.contains(kind)) {
                throw o.invalid("--transports: unknown transport '" + given + "' (expected tcp, uds or nats)");
            }
            if (!kinds.add(kind)) throw o.invalid("--transports: " + kind + " is listed twice");
        }
        return List.copyOf(kinds);
    }

    private static TransportFactory.Choice member(NodeOptions o, String kind) {
        return switch (kind) {
            case "tcp" -> TransportFactory.tcp(o);
            case "uds" -> {
                if (o.uds == null) throw o.invalid("--transports lists uds: give its socket file with --uds PATH");
                yield UdsOptions.member(o);
            }
            default -> {
                if (!o.usesNats()) throw o.invalid("--transports lists nats: give its servers with --nats URL");
                yield TransportFactory.natsChoice(o, NatsOptions.member(o));
            }
        };
    }

    /** The flags of a transport {@code --transports} leaves out would be ignored: said so instead. */
    private static void refuseFlagsOfUnlisted(NodeOptions o, List<String> kinds) {
        if (!kinds.contains("nats")) {
            if (o.usesNats()) throw o.invalid("--nats is given but --transports does not list nats");
            NatsOptions.refuseWithoutNats(o);
        }
        if (!kinds.contains("uds")) {
            if (o.uds != null) throw o.invalid("--uds is given but --transports does not list uds");
            UdsOptions.refuseWithoutUds(o);
        } else if (!o.seeds.isEmpty()) {
            // Member lists carry TCP addresses, which every member is given: a UDS member cannot take them.
            throw o.invalid("--seed cannot be used with --transports listing uds; give TCP peers as ID=HOST:PORT");
        }
        if (!kinds.contains("tcp")) {
            if (o.listen != null || !o.seeds.isEmpty() || o.advertise != null) {
                throw o.invalid("--listen, --seed and --advertise are for TCP, which --transports does not list");
            }
            if (TlsOptions.enabled(o) || o.tlsCa != null || o.tlsTrustStore != null) {
                throw o.invalid("--tls-* is for TCP, which --transports does not list");
            }
            for (PeerSpec p : o.peers) {
                if (p.address() != null) {
                    throw o.invalid("--peer " + p.id() + "=HOST:PORT is a TCP address, and --transports does not"
                            + " list tcp");
                }
            }
        }
        if (o.pskFile != null && !kinds.contains("tcp") && !kinds.contains("uds")) {
            throw o.invalid("--psk-file is for TCP and UDS, which --transports does not list");
        }
    }
}
