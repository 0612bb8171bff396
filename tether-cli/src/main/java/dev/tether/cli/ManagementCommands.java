package dev.tether.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The management commands: each one request to a running node's {@code /mgmt/} routes ({@link ManagementRoutes}). */
final class ManagementCommands {
    private ManagementCommands() {}

    /** A command that is one request of {@code path} with the request's options (and {@link #query} of its own). */
    abstract static class Single implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        private final String method;
        private final String path;

        /** A GET of {@code path}. */
        Single(String path) {
            this("GET", path);
        }

        Single(String method, String path) {
            this.method = method;
            this.path = path;
        }

        ManagementRequest.Query query() {
            return request.query();
        }

        @Override
        public Integer call() {
            return request.run(spec, method, path, query());
        }
    }

    /** {@code tether topology}. */
    @Command(
            name = "topology",
            mixinStandardHelpOptions = true,
            description = "Prints a running node's topology: uptime, every peer with its connection's state, how long"
                    + " it has been up, reconnects, round trip, unacknowledged messages and addresses.")
    static final class Topology extends Single {
        Topology() {
            super("/mgmt/topology");
        }
    }

    /** {@code tether nodes}. */
    @Command(
            name = "nodes",
            mixinStandardHelpOptions = true,
            description = "Lists the nodes a running node knows (itself and its peers), connected or down.")
    static final class Nodes extends Single {
        Nodes() {
            super("/mgmt/nodes");
        }
    }

    /** {@code tether channels}. */
    @Command(
            name = "channels",
            mixinStandardHelpOptions = true,
            description = "Lists a running node's channels: its role in each, and the readers of its messages there"
                    + " with how far each has taken care of them.")
    static final class ChannelList extends Single {
        ChannelList() {
            super("/mgmt/channels");
        }
    }

    /** {@code tether endpoints}. */
    @Command(
            name = "endpoints",
            mixinStandardHelpOptions = true,
            description = "Lists a running node's endpoints (registered now, or durable and waiting to be): whether"
                    + " each is registered and durable, a registered one's sent, received, processed and failed"
                    + " messages, and the channels it joined with its role.")
    static final class Endpoints extends Single {
        Endpoints() {
            super("/mgmt/endpoints");
        }
    }

    /** {@code tether subscribers CHANNEL}. */
    @Command(
            name = "subscribers",
            mixinStandardHelpOptions = true,
            description = "Lists the readers of a running node's messages on one channel: connected or down, cursor,"
                    + " backlog.")
    static final class Subscribers extends Single {
        @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel.")
        String channel;

        Subscribers() {
            super("/mgmt/subscribers");
        }

        @Override
        ManagementRequest.Query query() {
            return request.query().add("channel", channel);
        }
    }

    /** {@code tether pending --peer P --lane L}. */
    @Command(
            name = "pending",
            mixinStandardHelpOptions = true,
            description =
                    "Lists the messages of an outbound stream its receiver has not acknowledged yet, with their age"
                            + " and how often the node transmitted them since it started.")
    static final class Pending implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Option(names = "--peer", required = true, description = "The receiver.")
        String peer;

        @Option(names = "--lane", defaultValue = "default", description = "The lane (default: ${DEFAULT-VALUE}).")
        String lane;

        @Option(names = "--max", defaultValue = "100", description = "At most this many (1..10000).")
        int max;

        @Option(names = "--payloads", description = "Include the payloads.")
        boolean payloads;

        @Override
        public Integer call() {
            ManagementRequest.Query q =
                    request.query().add("peer", peer).add("lane", lane).add("max", max);
            return request.run(spec, "GET", "/mgmt/pending", payloads ? q.add("payloads", 1) : q);
        }
    }

    /** {@code tether history [--peer P] [--since 10m] [--kind K] [--max N] [--payloads]}. */
    @Command(
            name = "history",
            mixinStandardHelpOptions = true,
            description = "Lists entries of a running node's message history (messages it stored for sending and"
                    + " settled, when the node keeps a history), oldest first; every filter given must match.")
    static final class History implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Option(names = "--peer", description = "The receiver of a sent message, the sender of a received one.")
        String peer;

        @Option(names = "--agent", description = "An endpoint that sent or received the message.")
        String agent;

        @Option(names = "--channel", description = "The channel.")
        String channel;

        @Option(names = "--lane", description = "The lane (as on the wire, _a.AGENT for an endpoint).")
        String lane;

        @Option(names = "--kind", description = "direct, request, response, publish or broadcast.")
        String kind;

        @Option(names = "--direction", description = "in (received) or out (sent).")
        String direction;

        @Option(names = "--outcome", description = "How a received message was settled (processed, expired, ...).")
        String outcome;

        @Option(names = "--since", description = "Entries of the last DURATION (10m, 2h).", paramLabel = "DURATION")
        String since;

        @Option(names = "--from", description = "Entries at or after TIME (ISO-8601 or epoch ms).", paramLabel = "TIME")
        String from;

        @Option(names = "--to", description = "Entries before TIME.", paramLabel = "TIME")
        String to;

        @Option(names = "--after", description = "Entries after this id (the last id of the previous page).")
        String after;

        @Option(names = "--max", defaultValue = "100", description = "At most this many (1..10000).")
        String max;

        @Option(names = "--payloads", description = "Include the payloads kept.")
        boolean payloads;

        @Override
        public Integer call() {
            ManagementRequest.Query q = request.query()
                    .add("peer", peer)
                    .add("agent", agent)
                    .add("channel", channel)
                    .add("lane", lane)
                    .add("kind", kind)
                    .add("direction", direction)
                    .add("outcome", outcome)
                    .add("since", since)
                    .add("from", from)
                    .add("to", to)
                    .add("after", after)
                    .add("max", max);
            return request.run(spec, "GET", "/mgmt/history", payloads ? q.add("payloads", 1) : q);
        }
    }

    /** {@code tether message-status PEER/LANE#SEQ}. */
    @Command(
            name = "message-status",
            mixinStandardHelpOptions = true,
            description = "Where a sent message stands (PENDING, ACKNOWLEDGED or UNKNOWN), from the sender's stored"
                    + " stream positions; works after a restart of the sender.")
    static final class MessageStatus implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Parameters(paramLabel = "PEER/LANE#SEQ", description = "The message id, as tether send prints it.")
        String id;

        @Override
        public Integer call() {
            int slash = id.indexOf('/');
            int hash = id.lastIndexOf('#');
            if (slash < 1 || hash < slash + 2 || hash == id.length() - 1) {
                throw new ParameterException(spec.commandLine(), "message id must be PEER/LANE#SEQ, was '" + id + "'");
            }
            ManagementRequest.Query q = request.query()
                    .add("peer", id.substring(0, slash))
                    .add("lane", id.substring(slash + 1, hash))
                    .add("seq", id.substring(hash + 1));
            return request.run(spec, "GET", "/mgmt/message", q);
        }
    }

    /** {@code tether purge (--peer P [--lane L] | --all)}. */
    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description = "Drops the stored, unacknowledged messages of a node's outbound streams: their senders see"
                    + " the outcome PURGED and the receivers move past them.")
    static final class Purge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @ArgGroup(multiplicity = "1")
        Which which;

        static final class Which {
            @Option(names = "--peer", description = "Streams to this peer.")
            String peer;

            @Option(names = "--all", description = "Every outbound stream.")
            boolean all;
        }

        @Option(names = "--lane", description = "Only this lane (with --peer).")
        String lane;

        @Override
        public Integer call() {
            if (which.all && lane != null) throw new ParameterException(spec.commandLine(), "--lane needs --peer");
            ManagementRequest.Query q =
                    request.query().add("peer", which.peer).add("lane", lane).add("all", which.all ? "1" : null);
            return request.run(spec, "POST", "/mgmt/purge", q);
        }
    }

    /** {@code tether kick [--channel C] NODE}. */
    @Command(
            name = "kick",
            mixinStandardHelpOptions = true,
            description = "Kicks a node from a channel (--channel): the node asked and every peer it knows stop"
                    + " serving it the channel (its pending copies are dropped and counted), it is told, and its joins"
                    + " are refused until it is re-admitted with `tether readmit`. Without --channel, from the"
                    + " cluster: they remove it as a peer (its connections are refused) and purge what they owed it.")
    static final class Kick extends ChannelAccess {
        Kick() {
            super("/mgmt/kick");
        }
    }

    /** {@code tether readmit [--channel C] NODE}. */
    @Command(
            name = "readmit",
            mixinStandardHelpOptions = true,
            description = "Re-admits a node kicked from a channel (--channel) or from the cluster, at the node asked"
                    + " and every peer it knows; the node may then join again, or connect again. A node the node"
                    + " asked holds no kick of is refused (nothing changed).")
    static final class Readmit extends ChannelAccess {
        Readmit() {
            super("/mgmt/readmit");
        }
    }

    /** A POST of {@code path} naming a node and maybe a channel. */
    abstract static class ChannelAccess extends Single {
        @Option(names = "--channel", description = "The channel; without it, the whole cluster.")
        String channel;

        @Parameters(index = "0", paramLabel = "NODE", description = "The node's id.")
        String node;

        ChannelAccess(String path) {
            super("POST", path);
        }

        @Override
        ManagementRequest.Query query() {
            return request.query().add("node", node).add("channel", channel);
        }
    }

    /** {@code tether dlq list|replay|purge}. */
    @Command(
            name = "dlq",
            mixinStandardHelpOptions = true,
            description = "A running node's dead letters.",
            subcommands = {DlqList.class, DlqReplay.class, DlqPurge.class})
    static final class Dlq implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "give a subcommand: list, replay or purge");
        }
    }

    /** {@code tether dlq list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, oldest first.")
    static final class DlqList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Option(names = "--max", defaultValue = "100", description = "At most this many (1..10000).")
        int max;

        @Option(names = "--payloads", description = "Include the payloads.")
        boolean payloads;

        @Override
        public Integer call() {
            ManagementRequest.Query q = request.query().add("max", max);
            return request.run(spec, "GET", "/mgmt/dead-letters", payloads ? q.add("payloads", 1) : q);
        }
    }

    /** {@code tether dlq replay ID --to PEER --lane LANE}. */
    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description =
                    "Sends a dead letter again as a new message to a peer's lane, then removes it from the queue.")
    static final class DlqReplay implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Parameters(paramLabel = "ID", description = "The dead letter's id (from/lane/epoch/seq), as dlq list prints.")
        String id;

        @Option(names = "--to", required = true, description = "The peer to send it to.")
        String to;

        @Option(names = "--lane", required = true, description = "The lane to send it on.")
        String lane;

        @Override
        public Integer call() {
            ManagementRequest.Query q =
                    request.query().add("id", id).add("to", to).add("lane", lane);
            return request.run(spec, "POST", "/mgmt/dead-letters/replay", q);
        }
    }

    /** {@code tether dlq purge (ID... | --all)}. */
    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Deletes dead letters.")
    static final class DlqPurge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ManagementRequest request;

        @Parameters(paramLabel = "ID", arity = "0..*", description = "The dead letters to delete.")
        List<String> ids = List.of();

        @Option(names = "--all", description = "Delete every dead letter.")
        boolean all;

        @Override
        public Integer call() {
            if (ids.isEmpty() == !all) throw new ParameterException(spec.commandLine(), "give IDs or --all (not both)");
            ManagementRequest.Query q = request.query().add("all", all ? "1" : null);
            for (String id : ids) q.add("id", id);
            return request.run(spec, "POST", "/mgmt/dead-letters/purge", q);
        }
    }
}
