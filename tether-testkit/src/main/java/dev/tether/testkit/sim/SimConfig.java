package dev.tether.testkit.sim;

import dev.tether.RetryPolicy;
import java.time.Duration;
import java.util.Random;

/**
 * Everything that shapes one simulation run, derived from its seed by {@link #random(long)}. Times are
 * simulated milliseconds; rates are probabilities per frame, commit, message or attempt.
 *
 * @param nodes number of nodes (3-5)
 * @param lanes lanes per pair of nodes
 * @param messages messages sent by the random workload (besides {@code bulk})
 * @param sendPhaseMillis the workload sends during this time from the start
 * @param faultPhaseMillis faults happen during this time from the start; then the network heals, crashed
 *     nodes restart, and the run drains
 * @param drainLimitMillis how long after the fault phase the run may take to drain before it counts as stuck
 * @param window receiver credit per stream
 * @param maxFrameBytes the engine's frame limit (multi-message frames are split to fit)
 * @param retransmitMillis initial retransmission timeout
 * @param maxRetransmitMillis largest retransmission timeout
 * @param maxRun most messages handed to the application at once
 * @param retryPolicy handler retries before dead-lettering
 * @param maxQueuedPerStream the engine's limit of unacknowledged messages per outbound stream
 * @param maxLatency frame latency is uniform in 1..maxLatency
 * @param maxNotifyDelay each side of a connection learns that it went up or down 0..maxNotifyDelay after
 *     it happened, independently of the other side
 * @param dropRate probability that a frame is lost
 * @param dupRate probability that a frame is duplicated
 * @param delayRate probability that a frame is delayed by up to a second on top of its latency
 * @param crossConnection whether a frame whose connection went down while it was in flight may still arrive
 *     on a later connection, unless its sender crashed meanwhile (as FaultyTransport's delayed frames do); if
 *     not (the default: frames arrive only on the connection they were sent on), it is lost
 * @param maxStoreLatency commits and outbox reads take 0..maxStoreLatency
 * @param commitFailRate probability that a commit fails
 * @param loadFailRate probability that an outbox read fails
 * @param maxProcessMillis the application takes 1..maxProcessMillis per message
 * @param ttlRate fraction of messages sent with a time to live
 * @param poisonRate fraction of messages whose handler always fails
 * @param transientFailRate probability that a handler fails once for any message
 * @param progressRate probability that the application reports progress inside a run after a message
 * @param maxPadding payload bytes beyond the message id are uniform in 0..maxPadding
 * @param unknownPeerRate fraction of sends addressed to a node that does not exist
 * @param bulk messages one node sends to one peer in one burst at a random time (0 for none), to build a
 *     backlog beyond the sender's in-memory outbox page
 * @param meanFaultGapMillis mean time between injected link flaps, partitions and crashes
 * @param linkFlaps whether single connections go down and come back
 * @param partitions whether the nodes split into two groups for a while
 * @param crashes whether nodes crash and restart from their committed store
 * @param maxBatchesInFlight the engine's limit of store batches in flight (pipelined commits)
 * @param minBatchMessages the engine's smallest step for a backlog of sends, and what must wait before it
 *     pipelines a further batch
 * @param maxBatchMessages the engine's limit of sends per store batch
 * @param slowHandlerRate probability that the application takes long over a message (then 1..maxSlowMillis):
 *     long enough for the deadlines of the messages behind it in the same run to pass
 * @param maxSlowMillis the longest a slow application takes over one message
 * @param shutdowns whether nodes shut down cleanly and restart, with sends racing the shutdown
 * @param requestRate probability that a send is a request: it has a deadline, its caller waits for the reply, and
 *     its receiver's application answers it with a reply given with the acknowledgment (settle-with-effects)
 * @param publishRate probability that a send is a publish on a channel instead (one channel per lane, {@code ch0}
 *     ...); with it above 0 the nodes also add and remove each other as readers of their channels' logs, at the
 *     start and during the send phase (docs/CHANNELS-DESIGN.md, section 2)
 * @param loopbackRate probability that a send (or request) goes to the sending node itself, on a loopback stream
 *     (docs/BUS-DESIGN.md, section 1.3); 0: none, so the run is the one it was before them
 * @param concurrency how many messages of one stream the receiving application handles at once on the application
 *     lanes ({@code HandlerOptions.concurrent(n)}: handed out in stream order, completing in any order, each one
 *     completed ahead of an earlier one stored at once with its reply); 1: one at a time, the run it was before
 * @param cancelRate probability that a request is cancelled by its caller before its deadline ({@code Engine.cancel}:
 *     withdrawn if its receiver has not started it); 0: none, the run it was before
 * @param agents endpoints (agents, docs/BUS-DESIGN.md section 1) spread round robin over the nodes; above 0, every
 *     workload send goes from a random agent of its node to a random agent of any node (its own node's on a loopback
 *     stream), on the receiving agent's lane {@code _a.<agent>} with the sending agent in {@code :f}, as the bus
 *     layer sends; 0: none (never drawn: a seed's run is the one it was before them)
 * @param dropOldestRate probability that a plain send first makes room as overflow policy DROP_OLDEST does ({@code
 *     Engine.dropOldest} on its stream: the oldest message never transmitted, else the oldest send waiting for its
 *     batch); 0: none, the run it was before
 * @param membershipChanges with channels, how many times a send phase a random node adds a random peer as reader of
 *     one of its logs or (if it is one, one time in three) removes it, on average; 0: the default, 8
 */
public record SimConfig(
        long seed,
        int nodes,
        int lanes,
        int messages,
        long sendPhaseMillis,
        long faultPhaseMillis,
        long drainLimitMillis,
        int window,
        int maxFrameBytes,
        long retransmitMillis,
        long maxRetransmitMillis,
        int maxRun,
        RetryPolicy retryPolicy,
        long maxQueuedPerStream,
        int maxLatency,
        int maxNotifyDelay,
        double dropRate,
        double dupRate,
        double delayRate,
        boolean crossConnection,
        int maxStoreLatency,
        double commitFailRate,
        double loadFailRate,
        int maxProcessMillis,
        double ttlRate,
        double poisonRate,
        double transientFailRate,
        double progressRate,
        int maxPadding,
        double unknownPeerRate,
        int bulk,
        long meanFaultGapMillis,
        boolean linkFlaps,
        boolean partitions,
        boolean crashes,
        int maxBatchesInFlight,
        int minBatchMessages,
        int maxBatchMessages,
        double slowHandlerRate,
        int maxSlowMillis,
        boolean shutdowns,
        double requestRate,
        double publishRate,
        double loopbackRate,
        int concurrency,
        double cancelRate,
        int agents,
        double dropOldestRate,
        int membershipChanges) {

    /** A configuration drawn from {@code seed}: sizes, engine settings and which faults are on, how often. */
    public static SimConfig random(long seed) {
        Random r = new Random(seed);
        int nodes = 3 + r.nextInt(3);
        int lanes = 1 + r.nextInt(3);
        int messages = 150 + r.nextInt(451);
        long sendPhase = 500 + r.nextInt(3501);
        long faultPhase = sendPhase + r.nextInt(2001);
        int window = pick(r, 1, 2, 4, 8, 16, 32, 64);
        int maxFrameBytes = pick(r, 256, 512, 1024, 2048, 4096, 8192);
        long rto = 50 + r.nextInt(151);
        long maxRto = rto * (2 + r.nextInt(8));
        int maxRun = 1 + r.nextInt(16);
        RetryPolicy retry =
                new RetryPolicy(3, Duration.ofMillis(1 + r.nextInt(20)), Duration.ofMillis(50), 1.0 + r.nextInt(3));
        long maxQueued = r.nextInt(5) == 0 ? 20 + r.nextInt(100) : 1_000_000;
        int maxLatency = pick(r, 1, 5, 20, 20, 50);
        int notifyDelay = pick(r, 0, 2, 10, 50);
        boolean netFaults = r.nextInt(4) != 0;
        double drop = netFaults ? pick(r, 0.0, 0.01, 0.05, 0.1, 0.2) : 0;
        double dup = netFaults ? pick(r, 0.0, 0.01, 0.05, 0.1) : 0;
        double delay = netFaults ? pick(r, 0.0, 0.0, 0.01, 0.05) : 0;
        boolean crossConnection = false; // see withCrossConnection
        int storeLatency = pick(r, 0, 1, 2, 5, 20);
        boolean storeFaults = r.nextInt(3) == 0;
        double commitFail = storeFaults ? pick(r, 0.01, 0.03, 0.1) : 0;
        double loadFail = storeFaults ? pick(r, 0.0, 0.1, 0.3) : 0;
        int processMillis = 1 + r.nextInt(3);
        double ttl = pick(r, 0.0, 0.05, 0.2);
        double poison = pick(r, 0.0, 0.01, 0.03);
        double transientFail = pick(r, 0.0, 0.0, 0.02, 0.1);
        double progress = pick(r, 0.0, 0.0, 0.2, 0.5);
        int padding = Math.min(pick(r, 16, 100, 400, 1500), maxFrameBytes - 128);
        double unknownPeer = pick(r, 0.0, 0.0, 0.01);
        int bulk = r.nextInt(8) == 0 ? 300 + r.nextInt(200) : 0;
        long faultGap = pick(r, 50, 150, 400);
        boolean flaps = r.nextInt(2) == 0;
        boolean partitions = r.nextInt(3) == 0;
        boolean crashes = r.nextInt(3) != 0;
        // Drawn last, so the draws above keep giving each seed the shape it had before these existed.
        int batchesInFlight = pick(r, 1, 2, 2, 2, 3);
        int batchMessages = pick(r, 1, 3, 16, 1024);
        int minBatchMessages = Math.min(batchMessages, pick(r, 1, 2, 8, 512));
        double slowHandler = pick(r, 0.0, 0.0, 0.01, 0.05);
        int maxSlow = pick(r, 50, 200, 500);
        boolean shutdowns = r.nextInt(3) == 0;
        double requests = pick(r, 0.0, 0.1, 0.3, 0.6);
        double publishes = pick(r, 0.0, 0.2, 0.5);
        double loopbacks = pick(r, 0.0, 0.1, 0.3);
        int concurrency = pick(r, 1, 1, 2, 4, 16); // these two drawn last: every earlier draw is as it was
        double cancels = pick(r, 0.0, 0.0, 0.05, 0.2);
        double dropOldest = pick(r, 0.0, 0.0, 0.05, 0.2); // drawn last: every earlier draw is as it was
        Builder b = new Builder();
        b.seed = seed;
        b.nodes = nodes;
        b.lanes = lanes;
        b.messages = messages;
        b.sendPhaseMillis = sendPhase;
        b.faultPhaseMillis = faultPhase;
        b.drainLimitMillis = 120_000;
        b.window = window;
        b.maxFrameBytes = maxFrameBytes;
        b.retransmitMillis = rto;
        b.maxRetransmitMillis = maxRto;
        b.maxRun = maxRun;
        b.retryPolicy = retry;
        b.maxQueuedPerStream = maxQueued;
        b.maxLatency = maxLatency;
        b.maxNotifyDelay = notifyDelay;
        b.dropRate = drop;
        b.dupRate = dup;
        b.delayRate = delay;
        b.crossConnection = crossConnection;
        b.maxStoreLatency = storeLatency;
        b.commitFailRate = commitFail;
        b.loadFailRate = loadFail;
        b.maxProcessMillis = processMillis;
        b.ttlRate = ttl;
        b.poisonRate = poison;
        b.transientFailRate = transientFail;
        b.progressRate = progress;
        b.maxPadding = padding;
        b.unknownPeerRate = unknownPeer;
        b.bulk = bulk;
        b.meanFaultGapMillis = faultGap;
        b.linkFlaps = flaps;
        b.partitions = partitions;
        b.crashes = crashes;
        b.maxBatchesInFlight = batchesInFlight;
        b.minBatchMessages = minBatchMessages;
        b.maxBatchMessages = batchMessages;
        b.slowHandlerRate = slowHandler;
        b.maxSlowMillis = maxSlow;
        b.shutdowns = shutdowns;
        b.requestRate = requests;
        b.publishRate = publishes;
        b.loopbackRate = loopbacks;
        b.concurrency = concurrency;
        b.cancelRate = cancels;
        b.dropOldestRate = dropOldest;
        return b.build();
    }

    /**
     * The same run without any injected fault: no loss, duplication, failed commits, flaps, crashes or shutdowns.
     */
    public SimConfig withoutFaults() {
        Builder b = toBuilder();
        b.dropRate = 0;
        b.dupRate = 0;
        b.delayRate = 0;
        b.commitFailRate = 0;
        b.loadFailRate = 0;
        b.linkFlaps = false;
        b.partitions = false;
        b.crashes = false;
        b.shutdowns = false;
        return b.build();
    }

    /**
     * The same run, except that frames outliving their connection may ({@code true}) or may not arrive on a
     * later one. Off by default: with it on, a frame duplicated or delayed across a receiver crash can reach the
     * application again without the redelivery flag (the receiver takes a frame it receives as sent after it
     * started, and the sender's flag as what it knew when it sent the frame).
     */
    public SimConfig withCrossConnection(boolean on) {
        Builder b = toBuilder();
        b.crossConnection = on;
        return b.build();
    }

    /** The same run with publishes on channels at {@code rate} (0: none, so the run is the one it was before them). */
    public SimConfig withPublishRate(double rate) {
        Builder b = toBuilder();
        b.publishRate = rate;
        return b.build();
    }

    /** The same run with sends to the sending node itself at {@code rate} (0: none, the run it was before them). */
    public SimConfig withLoopbackRate(double rate) {
        Builder b = toBuilder();
        b.loopbackRate = rate;
        return b.build();
    }

    /**
     * The same run with {@code agents} endpoints sending to each other all-to-all instead of plain lanes (0: none);
     * the shutdown's racing sends stay on plain lanes (sent from other threads than an agent's, they have no order).
     */
    public SimConfig withAgents(int agents) {
        Builder b = toBuilder();
        b.agents = agents;
        return b.build();
    }

    /** A builder holding this configuration's values, to change some (a new parameter is a line in each part). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The values of a configuration, each a field to set; {@link #build()} makes the record. For runs that differ
     * from a drawn one in a few values ({@code SimConfig.random(seed).toBuilder()}).
     */
    public static final class Builder {
        public long seed;
        public int nodes;
        public int lanes;
        public int messages;
        public long sendPhaseMillis;
        public long faultPhaseMillis;
        public long drainLimitMillis;
        public int window;
        public int maxFrameBytes;
        public long retransmitMillis;
        public long maxRetransmitMillis;
        public int maxRun;
        public RetryPolicy retryPolicy;
        public long maxQueuedPerStream;
        public int maxLatency;
        public int maxNotifyDelay;
        public double dropRate;
        public double dupRate;
        public double delayRate;
        public boolean crossConnection;
        public int maxStoreLatency;
        public double commitFailRate;
        public double loadFailRate;
        public int maxProcessMillis;
        public double ttlRate;
        public double poisonRate;
        public double transientFailRate;
        public double progressRate;
        public int maxPadding;
        public double unknownPeerRate;
        public int bulk;
        public long meanFaultGapMillis;
        public boolean linkFlaps;
        public boolean partitions;
        public boolean crashes;
        public int maxBatchesInFlight;
        public int minBatchMessages;
        public int maxBatchMessages;
        public double slowHandlerRate;
        public int maxSlowMillis;
        public boolean shutdowns;
        public double requestRate;
        public double publishRate;
        public double loopbackRate;
        public int concurrency;
        public double cancelRate;
        public int agents;
        public double dropOldestRate;
        public int membershipChanges;

        /** All values zero, false or null: set each one. */
        public Builder() {}

        Builder(SimConfig c) {
            seed = c.seed;
            nodes = c.nodes;
            lanes = c.lanes;
            messages = c.messages;
            sendPhaseMillis = c.sendPhaseMillis;
            faultPhaseMillis = c.faultPhaseMillis;
            drainLimitMillis = c.drainLimitMillis;
            window = c.window;
            maxFrameBytes = c.maxFrameBytes;
            retransmitMillis = c.retransmitMillis;
            maxRetransmitMillis = c.maxRetransmitMillis;
            maxRun = c.maxRun;
            retryPolicy = c.retryPolicy;
            maxQueuedPerStream = c.maxQueuedPerStream;
            maxLatency = c.maxLatency;
            maxNotifyDelay = c.maxNotifyDelay;
            dropRate = c.dropRate;
            dupRate = c.dupRate;
            delayRate = c.delayRate;
            crossConnection = c.crossConnection;
            maxStoreLatency = c.maxStoreLatency;
            commitFailRate = c.commitFailRate;
            loadFailRate = c.loadFailRate;
            maxProcessMillis = c.maxProcessMillis;
            ttlRate = c.ttlRate;
            poisonRate = c.poisonRate;
            transientFailRate = c.transientFailRate;
            progressRate = c.progressRate;
            maxPadding = c.maxPadding;
            unknownPeerRate = c.unknownPeerRate;
            bulk = c.bulk;
            meanFaultGapMillis = c.meanFaultGapMillis;
            linkFlaps = c.linkFlaps;
            partitions = c.partitions;
            crashes = c.crashes;
            maxBatchesInFlight = c.maxBatchesInFlight;
            minBatchMessages = c.minBatchMessages;
            maxBatchMessages = c.maxBatchMessages;
            slowHandlerRate = c.slowHandlerRate;
            maxSlowMillis = c.maxSlowMillis;
            shutdowns = c.shutdowns;
            requestRate = c.requestRate;
            publishRate = c.publishRate;
            loopbackRate = c.loopbackRate;
            concurrency = c.concurrency;
            cancelRate = c.cancelRate;
            agents = c.agents;
            dropOldestRate = c.dropOldestRate;
            membershipChanges = c.membershipChanges;
        }

        /** The configuration of these values. */
        public SimConfig build() {
            return new SimConfig(
                    seed,
                    nodes,
                    lanes,
                    messages,
                    sendPhaseMillis,
                    faultPhaseMillis,
                    drainLimitMillis,
                    window,
                    maxFrameBytes,
                    retransmitMillis,
                    maxRetransmitMillis,
                    maxRun,
                    retryPolicy,
                    maxQueuedPerStream,
                    maxLatency,
                    maxNotifyDelay,
                    dropRate,
                    dupRate,
                    delayRate,
                    crossConnection,
                    maxStoreLatency,
                    commitFailRate,
                    loadFailRate,
                    maxProcessMillis,
                    ttlRate,
                    poisonRate,
                    transientFailRate,
                    progressRate,
                    maxPadding,
                    unknownPeerRate,
                    bulk,
                    meanFaultGapMillis,
                    linkFlaps,
                    partitions,
                    crashes,
                    maxBatchesInFlight,
                    minBatchMessages,
                    maxBatchMessages,
                    slowHandlerRate,
                    maxSlowMillis,
                    shutdowns,
                    requestRate,
                    publishRate,
                    loopbackRate,
                    concurrency,
                    cancelRate,
                    agents,
                    dropOldestRate,
                    membershipChanges);
        }
    }

    /** True if any fault is injected. */
    public boolean faulty() {
        return dropRate > 0
                || dupRate > 0
                || delayRate > 0
                || commitFailRate > 0
                || loadFailRate > 0
                || linkFlaps
                || partitions
                || crashes
                || shutdowns;
    }

    private static int pick(Random r, int... options) {
        return options[r.nextInt(options.length)];
    }

    private static double pick(Random r, double... options) {
        return options[r.nextInt(options.length)];
    }
}
