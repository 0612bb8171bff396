package dev.tether;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A running node: sends messages to its peers and receives theirs, reliably across disconnects and
 * restarts. Start one with {@link dev.tether.node.Tether#start(dev.tether.node.TetherConfig)}.
 *
 * <p><b>Threading.</b> All methods are thread-safe. One node thread owns the protocol state; the methods
 * hand work to it through a queue and return futures. The node thread is the transport's I/O thread when the
 * transport offers one ({@code Transport.nodeExecutor()}, as TCP does), else a thread of the node's own.
 * Handlers run on the node's handler threads, or on the node thread with {@link
 * dev.tether.node.TetherConfig.Builder#handlerOnNodeThread}. The {@link TetherListener}, such handlers and future callbacks
 * attached without {@code *Async} run on the node thread: they must not block. There, {@link #stats()}
 * answers directly, while waiting for a future this node has not completed yet and {@link #shutdown} throw
 * {@link IllegalStateException} (they would wait for the node thread itself).
 *
 * <p><b>Ordering.</b> Messages sent on one lane to one peer are delivered to that peer's application in
 * the order of the {@code send} calls that completed their {@code accepted()} future (for sends from one
 * thread: call order), without gaps. Different lanes and peers are independent. A node may send to itself and call
 * its own handlers: that goes on a loopback stream, with the same guarantees and no network hop.
 *
 * <p><b>Failure.</b> Argument errors throw at once ({@link InvalidIdException}, {@link UnknownPeerException},
 * {@link MessageTooLargeException}, {@link NodeClosedException}); storage failures complete the returned
 * futures exceptionally. Asynchronous problems go to the {@link TetherListener} and are counted in
 * {@link NodeStats}.
 */
public interface TetherNode extends AutoCloseable {
    /** This node's id. */
    NodeId id();

    /** Sends {@code payload} to {@code to} on the default lane. */
    SendReceipt send(NodeId to, byte[] payload);

    /**
     * Sends {@code payload} to {@code to} on {@code lane}.
     *
     * @throws IllegalArgumentException if {@code lane} starts with {@code '_'} (reserved for Tether's own traffic)
     */
    SendReceipt send(NodeId to, String lane, byte[] payload);

    /**
     * Sends a fully described message. If its stream holds its limit of unacknowledged messages ({@code
     * TetherConfig.Builder.maxQueuedPerStream}) it throws {@link QueueFullException} at once, naming the stream, its
     * count and its limit; nothing was sent. See docs/MESSAGING.md, "Backpressure".
     */
    SendReceipt send(OutboundMessage message);

    /**
     * Sends {@code message}, waiting up to {@code maxWait} for room in its stream if it is full. Senders waiting on
     * one stream get room in the order they started waiting; a sender that does not wait ({@link #send(OutboundMessage)},
     * {@link #offer}) does not take room from them.
     *
     * @throws IllegalArgumentException if {@code maxWait} is zero or negative
     * @throws IllegalStateException if called on the node thread (a listener, a handler running there): it must not
     *     wait
     * @throws QueueFullException if no room came within {@code maxWait}, or the node's bytes waiting for the store
     *     are at {@code maxPendingSendBytes} (not waited for); nothing was sent
     * @throws NodeClosedException if the node shut down, also while waiting; nothing was sent
     * @throws InterruptedException if interrupted while waiting; nothing was sent
     */
    SendReceipt send(OutboundMessage message, Duration maxWait) throws InterruptedException;

    /**
     * Sends {@code message} if its stream (and the node's budget of bytes waiting for the store) has room now:
     * never waits, and never throws for a full stream, which {@link OfferResult#taken()} false reports with the
     * reason instead. Other errors throw as for {@link #send(OutboundMessage)}.
     */
    OfferResult offer(OutboundMessage message);

    /** Same as {@code handle(name, HandlerOptions.defaults(), handler)}. */
    Registration handle(String name, Handler handler);

    /**
     * Registers {@code handler} under {@code name}: from now on calls of {@code name} from other nodes ({@link #call})
     * are handed to it, placed and ordered as {@code options} say. Messages sent with {@link #send} never reach it:
     * they go to the node's configured handler (or {@link #receive}) as before.
     *
     * @throws InvalidIdException if {@code name} is not a valid handler name ({@link HandlerNames})
     * @throws IllegalArgumentException if {@code name} starts with {@code '_'} (reserved for system handlers)
     * @throws IllegalStateException if a handler of that name is registered already
     * @throws NodeClosedException if the node is shut down
     */
    Registration handle(String name, HandlerOptions options, Handler handler);

    /** Same as {@code handleAsync(name, HandlerOptions.defaults(), handler)}. */
    Registration handleAsync(String name, AsyncHandler handler);

    /**
     * Registers an asynchronous handler, which finishes each call when the stage it returns completes; otherwise as
     * {@link #handle(String, HandlerOptions, Handler)}.
     */
    Registration handleAsync(String name, HandlerOptions options, AsyncHandler handler);

    /** Same as {@code handle(name, TypeRef.of(type), HandlerOptions.defaults(), handler)}. */
    <T, R> Registration handle(String name, Class<T> type, TypedHandler<T, R> handler);

    /**
     * Registers a typed handler: each call's payload is decoded as {@code type} by the node's codec ({@code
     * TetherConfig.Builder.codec}, else the one on the class path) before {@code handler} runs, and its result encoded as
     * the reply. A request that cannot be decoded is not handed to {@code handler}: the caller gets a {@link
     * RemoteHandlerException} naming {@link CodecException}. Otherwise as {@link #handle(String, HandlerOptions,
     * Handler)}.
     *
     * @throws CodecException if no codec was given and none is on the class path (the message names the module)
     */
    <T, R> Registration handle(String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler);

    /** Same as {@code handleAsync(name, TypeRef.of(type), HandlerOptions.defaults(), handler)}. */
    <T, R> Registration handleAsync(String name, Class<T> type, TypedAsyncHandler<T, R> handler);

    /**
     * Registers a typed asynchronous handler: each call's payload is decoded as {@code type} as for {@link
     * #handle(String, TypeRef, HandlerOptions, TypedHandler)}, and the call finishes when the returned stage
     * completes, its value encoded as the reply; otherwise as {@link #handleAsync(String, HandlerOptions,
     * AsyncHandler)}.
     *
     * @throws CodecException if no codec was given and none is on the class path (the message names the module)
     */
    <T, R> Registration handleAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler);

    /**
     * A call of handler {@code handler} on {@code peer}, to be configured and made with {@link Call#tell}, {@link
     * Call#sync} or {@link Call#request}. Nothing is sent until then.
     *
     * @throws InvalidIdException if {@code handler} is not a valid handler name
     * @throws IllegalArgumentException if it starts with {@code '_'} (reserved for system handlers)
     */
    Call call(NodeId peer, String handler);

    /**
     * A call of handler {@code handler} on whichever connected peer advertises it: {@code handler} as a logical worker
     * name, resolved through handler discovery (docs/MESSAGING.md, "Calling whichever node has a handler"). Each
     * {@link Call#tell}, {@link Call#sync} or {@link Call#request} picks a node among the connected peers whose latest
     * advertisement lists {@code handler}: the one with the fewest calls outstanding from this node (its sync and
     * request calls whose future has not completed), round robin in id order among those with as few, and is then an
     * ordinary call to it: it is never moved to another node, also if that node goes away before answering. {@link Call#peer()} of the returned
     * value is null. If no connected peer advertises {@code handler}, {@code tell} throws and {@code sync} and {@code
     * request} fail with {@link NoSuchHandlerException} (its {@code peer()} null). On a node that is shut down all
     * three throw {@link NodeClosedException}, as a call to a named peer does.
     *
     * @throws InvalidIdException if {@code handler} is not a valid handler name
     * @throws IllegalArgumentException if it starts with {@code '_'} (reserved for system handlers)
     */
    Call callAny(String handler);

    /**
     * Joins {@code channel} as {@code role} (replacing a role this node had), and tells every peer this node knows now;
     * completes once each of them has taken care of it: a peer that publishes on the channel then has this node as a
     * reader (if {@code role} reads), so every message it publishes after this future completed reaches this node,
     * in its publish order, once (docs/CHANNELS-DESIGN.md). The membership is stored: a restarted node is still a
     * member, and a peer that connects later is told of it. A peer that is down holds the future until it returns, at
     * most for the node's {@code channelJoinTimeout} (default: its {@code defaultCallTimeout}): then it fails with
     * {@link ChannelJoinTimeoutException}, and the join still reaches that peer when it returns.
     * Messages of a channel go to its channel handler ({@link #handleChannel}), else to the node's handler, on the
     * lane {@code _c.<channel>} from the publisher. A node kicked from the channel gets a future failed with {@link
     * ChannelAccessDeniedException} until an operator re-admits it ({@code NodeManagement.kick}); so does a node whose
     * join a peer refuses because that peer's {@link ChannelAccess} for the channel does not let it read (the
     * exception names the channel and the refusing peers), after this node left the channel again: no peer keeps it
     * as a reader and no membership is stored.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name ({@link Channels})
     * @throws IllegalArgumentException if it starts with {@code '_'} (reserved)
     * @throws NodeClosedException if the node is shut down
     */
    default CompletableFuture<Void> join(String channel, ChannelRole role) {
        return join(channel, role, ChannelStart.now());
    }

    /**
     * As {@link #join(String, ChannelRole)}, where this node, as a new reader, starts at {@code start} in each
     * publisher's log instead of after its last message: {@link ChannelStart#earliest()}, a sequence number or a time.
     * A publisher that has this node as a reader already keeps its place.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name ({@link Channels})
     * @throws IllegalArgumentException if it starts with {@code '_'} (reserved)
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<Void> join(String channel, ChannelRole role, ChannelStart start);

    /**
     * Leaves {@code channel} and tells every peer this node knows now; completes once each has taken care of it:
     * nothing published after that reaches this node.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'}
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<Void> leave(String channel);

    /**
     * Publishes {@code payload} on {@code channel} to every reader that joined it: stored once, whatever the number
     * of readers; the future completes with its id (this node, the lane {@code _c.<channel>}, its sequence number in
     * this node's log of the channel) once it is stored, or fails if it could not be.
     *
     * @throws ChannelRoleException if this node did not join {@code channel}, or joined it {@link ChannelRole#READ}
     *     (a {@link ChannelAccessDeniedException} if it was kicked from it)
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'}
     * @throws MessageTooLargeException if the payload exceeds {@code maxMessageBytes}
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<MessageId> publish(String channel, byte[] payload);

    /**
     * Publishes {@code payload} to every peer this node knows now (not removed), without a join: on the broadcast
     * channel {@link Channels#BROADCAST}, which every node reads. Stored once, as a publish is; each peer gets it on
     * the lane {@code _c._all}, in this node's broadcast order, once, also a peer that is down now when it returns.
     * It goes to the peer's handler of {@link Channels#BROADCAST} ({@link #handleChannel}), else to its node's
     * handler. A peer removed since is no longer a reader, and a peer known only later gets only later broadcasts.
     *
     * @throws MessageTooLargeException if the payload exceeds {@code maxMessageBytes}
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<MessageId> broadcast(byte[] payload);

    /**
     * As {@link #publish(String, byte[])}, with {@code headers} that every reader receives with the message ({@link
     * Delivery#headers()}), stored once with it; they count toward {@code maxMessageBytes} as for a send.
     *
     * @throws IllegalArgumentException if a header name is empty or starts with {@code ':'} (reserved, see {@link
     *     OutboundMessage#requireApplicationHeader}), or {@code channel} starts with {@code '_'}
     * @throws ChannelRoleException if this node did not join {@code channel}, or joined it {@link ChannelRole#READ}
     *     (a {@link ChannelAccessDeniedException} if it was kicked from it)
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws MessageTooLargeException if the payload and headers exceed {@code maxMessageBytes}
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<MessageId> publish(String channel, Map<String, String> headers, byte[] payload);

    /**
     * As {@link #publish(String, Map, byte[])}, but never waits and never throws for a full log: if this node's log of
     * {@code channel} refuses or waits when full ({@link ChannelOptions.WhenFull#REJECT}, {@link
     * ChannelOptions.WhenFull#BLOCK}) and has no room now, {@link PublishOffer#taken()} is false with the reason
     * (counted in {@link NodeStats#publishesRejected()}, reported as {@link TetherEvent.Overflow}); a log that drops
     * its oldest always takes it. Other errors throw as for {@code publish}.
     */
    PublishOffer offerPublish(String channel, Map<String, String> headers, byte[] payload);

    /**
     * Sets the retention of this node's log of {@code channel}, the messages it publishes there ({@link
     * ChannelOptions}: at most so many messages, payload bytes and so old; when full, drop the oldest or reject the
     * publish with {@link ChannelFullException}). Without options a log keeps every message until every reader took
     * care of it. Applies to publishes made after this call; what the new limits no longer allow is deleted with the
     * next store batch. A reader that had not taken a deleted message misses it: both sides are told ({@link
     * TetherEvent.ChannelMessagesDropped} here, {@link TetherEvent.ChannelMessagesMissed} on the reader, with the
     * same count) and count it ({@link StreamStats#missed()}). Options are not stored: set them at every start,
     * before publishing (the size and publish time of what a log holds are stored, so limits hold across restarts).
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'} and is not {@link Channels#BROADCAST}
     * @throws NodeClosedException if the node is shut down
     */
    void channelOptions(String channel, ChannelOptions options);

    /**
     * Sets who may read and write {@code channel} ({@link ChannelAccess}: allow-lists of node id patterns), checked by
     * this node from now on: its own joins and publishes, the joins of others (as a publisher) and the messages of
     * others (as a reader), always against transport-authenticated ids. Not stored: set it at every start, before
     * joining, alike on every node of the application.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'}
     */
    void channelAccess(String channel, ChannelAccess access);

    /**
     * Hands the messages of {@code channel} to {@code handler} instead of the node's handler: on the handler threads,
     * in order per publisher; returning acknowledges a message, throwing fails it (retried, then dead-lettered, per
     * the node's policies). {@link Registration#close} removes it. Only messages routed after this call reach it: a
     * node that is a member already (a stored membership) receives the channel's messages as soon as it starts (a
     * restarted one those it had not processed, again), and those routed before this call go to the node's handler
     * (or its pull queue). Such a node registers the handler before it starts instead, with {@link
     * dev.tether.node.TetherConfig.Builder#handleChannel}, installed before the node connects to any peer.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'} and is not {@link Channels#BROADCAST}
     * @throws IllegalStateException if the channel has a handler already
     * @throws NodeClosedException if the node is shut down
     */
    Registration handleChannel(String channel, MessageHandler handler);

    /**
     * Pull mode (no handler configured): waits up to {@code timeout} for the next delivery and returns it,
     * or null if none arrived. The caller must {@link Delivery#ack()} or {@link Delivery#nack()} it.
     *
     * @throws IllegalStateException if the node was configured with a handler
     * @throws NodeClosedException if the node is shut down, or shuts down while this waits (at once, not at the
     *     timeout)
     */
    Delivery receive(Duration timeout) throws InterruptedException;

    /** The dead-letter queue of this node, oldest first, at most {@code max} entries. */
    List<DeadLetterView> deadLetters(int max);

    /** A snapshot of the node's counters. */
    NodeStats stats();

    /**
     * A snapshot of the counters of every channel this node joined (for itself or for its endpoints), has a log of
     * (publishes there), admits publishes for, or reads from another node, sorted by name (docs/MESSAGING.md, "Channel
     * statistics"). From a listener or a handler on the node thread too.
     *
     * @throws NodeClosedException if the node is shut down
     */
    List<ChannelStats> channelStats();

    /**
     * The counters of {@code channel} as {@link #channelStats()} has them; all zero, with no role, if this node has
     * nothing of it.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws NodeClosedException if the node is shut down
     */
    default ChannelStats channelStats(String channel) {
        Channels.requireValid(channel);
        for (ChannelStats s : channelStats()) {
            if (s.channel().equals(channel)) return s;
        }
        return new ChannelStats(channel, null, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Every peer this node knows (configured, added, discovered, admitted, or known from its store), sorted by
     * id. Answered by the node thread, like {@link #stats()}.
     *
     * @throws NodeClosedException if the node is shut down
     */
    List<PeerInfo> peers();

    /** Same as {@code addPeer(peer, List.of())}. */
    void addPeer(NodeId peer);

    /**
     * Adds {@code peer} at runtime: from now on it is admitted like a configured peer (no proof or allow-list
     * needed), sends to it are accepted, and the transport reaches it at {@code addresses} (in the transport's
     * format, for TCP {@code host:port}, checked here and resolved again at each dial; transports that find
     * peers by themselves need none). A removed peer is admitted again and its stored streams resume. Adding a
     * known peer adds its addresses. The addition is stored (in the store's key-value area) before this returns, so
     * it outlasts a restart: the node starts with the peer added and reaches it at the latest addresses given
     * (called on the node thread, from a handler or listener, it returns before the addition is stored).
     *
     * @throws UnknownPeerException if {@code peer} is this node
     * @throws IllegalArgumentException if the transport cannot parse an address (nothing was changed), or there
     *     are more than {@code Discovery.MAX_ADDRESSES} of them or one is longer than {@code
     *     Discovery.MAX_ADDRESS_LENGTH}
     * @throws NodeClosedException if the node is shut down
     */
    void addPeer(NodeId peer, List<String> addresses);

    /**
     * Removes {@code peer}: closes its connection, stops reaching it and refuses it until it is added again;
     * sends to it throw {@link UnknownPeerException}. Its stored outbox and cursors stay stored (counted in the
     * result) and resume when it is added again. The removal is stored before this returns (called on the node
     * thread, it returns before), so it outlasts a restart: the node starts with the peer removed, even if it is
     * configured ({@code TetherConfig.Builder.peers}) or discovered, until {@link #addPeer} adds it again.
     *
     * @throws NodeClosedException if the node is shut down
     */
    PeerRemoval removePeer(NodeId peer);

    /**
     * Completes when {@code peer} has advertised a handler named {@code handler} (at once if its latest
     * advertisement has it): nodes advertise their handlers to connected peers when they connect and whenever they
     * change ({@link PeerInfo#handlers()}, docs/MESSAGING.md "Handler discovery"). Fails with {@link
     * HandlerNotAdvertisedException} at {@code timeout} by this node's clock, with {@link NodeClosedException} if
     * this node stops first. The future completes on the node thread. A handler advertised and removed again before
     * this call is not waited for: the latest advertisement counts.
     *
     * @throws InvalidIdException if {@code handler} is not a valid handler name
     * @throws IllegalArgumentException if it is reserved, or {@code timeout} is not positive
     * @throws UnknownPeerException if {@code peer} is this node
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<Void> awaitHandler(NodeId peer, String handler, Duration timeout);

    /**
     * Asks {@code peer} for its handlers now (a request to its system handler {@code _list_handlers}): completes with
     * their names, sorted, and updates {@link PeerInfo#handlers()} unless a newer advertisement is known. Fails like
     * a {@link Call#request}: {@link DeadlineExceededException} after {@code timeout}, {@link NodeClosedException},
     * a store failure; with {@link ProtocolException} if the answer is malformed.
     *
     * @throws UnknownPeerException if {@code peer} is not known or was removed (this node itself answers with its own)
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<List<String>> listHandlers(NodeId peer, Duration timeout);

    /** Same as {@code createEvent(id)} with a new random id: a new event, owned by this node. */
    EventHandle createEvent();

    /**
     * Creates a distributed event owned by this node, pending until someone triggers or poisons it, and returns its
     * handle (docs/MESSAGING.md "Events"). Creating an id again makes a new generation and supersedes the old one: a
     * pending old generation's waiters fail with {@link StaleEventException}. The event is stored in the node's next
     * store batch; if the node crashes before that commit, it is unknown after the restart.
     *
     * @throws InvalidEventHandleException if {@code id} is not 1 to 64 characters from {@code [A-Za-z0-9._-]}
     * @throws QueueFullException if this node already has the most pending events it may have ({@code
     *     TetherConfig.Builder.events})
     * @throws NodeClosedException if the node is shut down
     */
    EventHandle createEvent(String id);

    /** Same as {@code trigger(event, new byte[0])}. */
    CompletableFuture<Void> trigger(EventHandle event);

    /**
     * Triggers {@code event}, wherever its owner is: its waiters' futures complete with {@code payload}. The first
     * trigger or poison of a generation decides it; a later one, or one of a stale or unknown generation, changes
     * nothing and is counted and reported at the owner ({@link EventStats#ignoredCompletions()}). The future completes
     * when the trigger is durable: at the owner, when the event's new state is stored; elsewhere, when the trigger is
     * stored in this node's outbox to the owner, which receives it when it is reachable, after any restarts.
     *
     * @throws IllegalArgumentException if {@code payload} has more than {@value EventLimits#MAX_PAYLOAD_BYTES} bytes
     * @throws UnknownPeerException if the owner is not a peer this node knows
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<Void> trigger(EventHandle event, byte[] payload);

    /**
     * Poisons {@code event}: its waiters' futures fail with {@link EventPoisonedException} carrying {@code reason}.
     * Otherwise as {@link #trigger(EventHandle, byte[])}.
     *
     * @throws IllegalArgumentException if {@code reason} is longer than {@value EventLimits#MAX_REASON_CHARS}
     *     characters
     */
    CompletableFuture<Void> poison(EventHandle event, String reason);

    /**
     * Waits for {@code event}, wherever its owner is: completes with the trigger's payload, fails with {@link
     * EventPoisonedException}, at once if it completed already and its owner still keeps it in its history. Fails with
     * {@link StaleEventException} for a superseded generation and {@link UnknownEventException} for an event its owner
     * does not know (never created, or forgotten beyond the history). A remote await is a registration stored at the
     * owner, answered when the event completes, also across restarts of the owner; the future itself belongs to this
     * process (a restart of this node forgets it). It has no timeout of its own: use {@link
     * CompletableFuture#orTimeout}. Fails with {@link UnknownPeerException} if the owner is not a peer this node knows,
     * with {@link NodeClosedException} if this node stops first. Completes on the node thread.
     *
     * @throws NodeClosedException if the node is shut down
     */
    CompletableFuture<byte[]> await(EventHandle event);

    /** The counters of distributed events. */
    EventStats eventStats();

    /**
     * Stops accepting sends and pulls at once, waits up to {@code timeout} for every sent message to be
     * acknowledged by its receiver (handlers keep running meanwhile), then stops delivering, lets the store
     * commit what was already decided (up to 2 s more), closes transport and store, and reports what is still
     * pending (it stays stored for the next start). It returns within {@code timeout} plus 10 s whatever the
     * application does (usually well under a second more): each of its later steps has a bound of its own
     * (store grace 3 s, node thread 2 s, handler threads 1 s, transport 2 s, store close 2 s). A handler, listener
     * or future callback on the node thread that has not returned by then is left running, and so is a transport
     * whose close overran (over TCP the node thread is the transport's I/O thread): both are logged (WARNING),
     * the store is closed and its lock released all the same, so the node can start again in this process. Only
     * a store commit that itself runs past its 2 s keeps the store open until it ends (logged). Messages handed to the application but not acknowledged
     * by then are delivered again, flagged, after the next start. A send racing this call either throws {@link
     * NodeClosedException} or returns a receipt whose futures complete, with {@link NodeClosedException} if the
     * node stopped before it could answer; so does a {@code processed()} asked after the node stopped. An
     * interrupt of the calling thread (set before the call, as in a task stopped by {@code shutdownNow()}, or
     * during it) does not cut these steps short: the node is closed when this returns, and the thread's interrupt
     * flag is set again afterwards.
     *
     * @throws IllegalStateException if called on the node thread (from a listener, a callback or a handler
     *     running there)
     */
    ShutdownResult shutdown(Duration timeout);

    /** Same as {@code shutdown(Duration.ZERO)}. */
    @Override
    void close();
}
