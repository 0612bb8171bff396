package dev.tether.management;

import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.UnknownPeerException;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import dev.tether.bus.HistoryStats;
import java.util.List;

/**
 * Operations on one running node: its topology, statistics, dead letters, outbox and recent events. One model, served
 * by this interface, by the node daemon's admin endpoint as JSON ({@code tether node --admin}) and by the {@code tether}
 * command (docs/OPERATIONS.md, "Management"). Get it with {@link dev.tether.node.Tether#management}.
 *
 * <p><b>Threading.</b> Thread-safe. Every method hands its work to the node thread (and, for stored state, to the
 * store's writer thread) through their queues and waits for the answer; none may be called on the node thread
 * (from a listener or a handler running there): it throws {@link IllegalStateException}. Answers are snapshots.
 *
 * <p><b>Failure.</b> Bad arguments throw at once ({@link IllegalArgumentException}, {@link UnknownPeerException},
 * {@link NoSuchDeadLetterException}); nothing is changed then. A store failure throws {@link dev.tether.StoreException}
 * and changes nothing either. After shutdown every method throws {@link NodeClosedException}.
 */
public interface NodeManagement {
    /** The node, its uptime, and every peer it knows with its connection's state. */
    Topology topology();

    /**
     * The channels of this node, sorted by name: those it joined, with their role, and those whose log here still has
     * readers, each with the readers of this node's log and their backlog.
     */
    List<ChannelStatus> channels();

    /**
     * The readers of this node's log of {@code channel}, sorted by id: empty if nothing this node publishes there has
     * a reader.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     */
    List<SubscriberStatus> subscribers(String channel);

    /** The node's counters, totals per peer, and per stream (in {@link NodeStatistics#node()}). */
    NodeStatistics statistics();

    /**
     * Up to {@code max} dead letters, oldest first; payloads only if {@code withPayloads} (else null in each entry).
     *
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    List<DeadLetterEntry> deadLetters(int max, boolean withPayloads);

    /**
     * Sends the dead letter {@code id} again as a new message from this node to {@code to} on {@code lane}, with its
     * headers and payload and the idempotency key {@code dlq-replay:<id>}, and removes it from the dead-letter queue
     * once the send is stored. A replay repeated after a crash between the two is processed once by a receiver that
     * still remembers the key (docs/MESSAGING.md, idempotency window).
     *
     * @return the new message's id
     * @throws NoSuchDeadLetterException if there is no dead letter {@code id} (it was replayed or purged already)
     * @throws UnknownPeerException if {@code to} is not a peer this node may send to (or is this node)
     * @throws dev.tether.InvalidIdException if {@code lane} is not a valid lane name
     */
    MessageId replayDeadLetter(String id, NodeId to, String lane);

    /**
     * Deletes the dead letters {@code ids}, or every one if {@code ids} is empty; returns how many this call deleted
     * (an id given twice counts once; one a concurrent purge or replay deleted first counts there).
     *
     * @throws NoSuchDeadLetterException if one of {@code ids} does not exist (nothing is deleted then)
     */
    int purgeDeadLetters(List<String> ids);

    /**
     * The entries of this node's message history that {@code query} selects, ids ascending (docs/OPERATIONS.md,
     * "History"): page with {@link HistoryQuery#afterId()} set to the last id of the previous page. Entries are
     * recorded only while the history is on ({@code TetherConfig.Builder.history}); those recorded before stay
     * queryable until trimmed. Read on the store's thread.
     *
     * @throws dev.tether.StoreException if the store keeps no history or fails
     */
    List<HistoryEntry> history(HistoryQuery query);

    /** What this node's message history holds: entries, oldest time, payload bytes. */
    HistoryStats historyStats();

    /**
     * Up to {@code max} messages of the outbound stream ({@code peer}, {@code lane}) not yet acknowledged by the
     * receiver, in order, each with its age and how often this node transmitted it since it started; payloads only if
     * {@code withPayloads}.
     *
     * @throws UnknownPeerException if this node has no stream to {@code peer}
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    List<PendingMessage> pending(NodeId peer, String lane, int max, boolean withPayloads);

    /**
     * Where message {@code id} stands, from the stream's stored positions: answerable after a restart of this node,
     * when the {@code processed()} futures of the earlier process are gone.
     */
    MessageState messageState(MessageId id);

    /**
     * Drops the stored, unacknowledged messages of the outbound streams {@code peer} and {@code lane} select (null:
     * all): their {@code processed()} futures complete with {@link dev.tether.Outcome#PURGED}, the store forgets
     * them, and the receiver is told to move past them (it reports a resync). A message the receiver was already
     * handling may still be processed. Sends not yet stored when the purge runs are kept.
     *
     * @throws UnknownPeerException if {@code peer} is given and this node has no stream to it
     */
    PurgeResult purge(NodeId peer, String lane);

    /**
     * Kicks {@code node} from {@code channel}: this node stops serving it its log of the channel (its pending copies
     * are dropped and counted in the result), stores the ban, and tells every known peer to do the same and the kicked
     * node that it was kicked (it deletes its membership; its joins fail with {@link
     * dev.tether.ChannelAccessDeniedException}). A peer that is down takes the kick when it returns; a join of the
     * kicked node is refused by every node holding the ban, until {@link #readmit}. Peers raise {@link
     * dev.tether.TetherEvent.ChannelMemberKicked}, the kicked node {@link dev.tether.TetherEvent.ChannelKicked}.
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if {@code channel} is reserved or {@code node} is this node
     */
    KickResult kick(NodeId node, String channel);

    /**
     * Lifts the ban of {@code node} from {@code channel} here and at every known peer, and tells {@code node} it may
     * join again (it does not join by itself). Returns the peers told (their message stored), the re-admitted node
     * excluded. Of a kick and a re-admission decided at the same time on two nodes, the same one wins on every node
     * (docs/CHANNELS-DESIGN.md, section 5b: the greater generation, then the greater id of the deciding node).
     *
     * @throws dev.tether.InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if {@code channel} is reserved or {@code node} is this node
     */
    List<NodeId> readmit(NodeId node, String channel);

    /**
     * Kicks {@code node} from the cluster: this node removes it as a peer (as {@code TetherNode.removePeer}, stored, so
     * also after a restart), purges its outbox to it, stops serving it its channel logs (both counted in the result),
     * and tells every known peer to do the same; a peer that is down takes the kick when it returns. Every connection
     * the kicked node then tries to a node holding the kick is refused with a reason naming the kick (it sees {@link
     * dev.tether.TetherEvent.ConnectionRejected}, and once per refusing peer {@link
     * dev.tether.TetherEvent.KickedFromCluster}, after which it stops dialing that peer); until {@link
     * #readmit(NodeId)}, which makes the peers dial it again. Each node holding the kick raises {@link
     * dev.tether.TetherEvent.NodeKicked}.
     *
     * @throws IllegalArgumentException if {@code node} is this node
     */
    NodeKickResult kick(NodeId node);

    /**
     * Re-admits {@code node} to the cluster: this node adds it again where it was reached before the kick, and tells
     * every known peer, each of which does the same if it holds the kick. Returns the peers told (their message
     * stored). A kick and a re-admission decided at the same time end the same on every node, as for channels.
     *
     * @throws IllegalArgumentException if {@code node} is this node
     */
    List<NodeId> readmit(NodeId node);

    /** The node's most recent events (connections, resyncs, rejections, errors), oldest first, at most 200. */
    List<RecentEvent> recentEvents();
}
